// The ingress's implementation of response_renderer: the API's JSON objects.
#pragma once

#include "actors/response_renderer.hpp"

namespace settle::net {

class json_renderer final : public response_renderer {
public:
  std::string user(const user_record& user) const override;
  std::string deleted_user(const user_record& user) const override;
  std::string account(const account_record& account) const override;
  std::string transfer(const transfer_record& transfer) const override;
  std::string order(const order_record& order) const override;
  std::string orders(const persistence::list_page<order_record>& page) const override;
  std::string users(const persistence::list_page<user_record>& page) const override;
  std::string accounts(const persistence::list_page<account_record>& page) const override;
  std::string transfers(const persistence::list_page<transfer_record>& page) const override;
  std::string entries(const persistence::list_page<entry_record>& page) const override;
  std::string batch(const std::vector<batch_result>& results) const override;
  std::string audit(const persistence::audit_report& report) const override;
  std::string cluster(const std::string& node_id, std::uint32_t shard_count,
                      const std::vector<cluster_member>& members) const override;
  std::string readiness(bool ready) const override;
  std::string webhook_endpoint(const webhook_endpoint_record& endpoint,
                               bool with_secret) const override;
  std::string deleted_webhook_endpoint(const webhook_endpoint_record& endpoint) const override;
  std::string
  webhook_endpoints(const persistence::list_page<webhook_endpoint_record>& page) const override;
  std::string webhook_delivery(const webhook_delivery_record& delivery) const override;
  std::string
  webhook_deliveries(const persistence::list_page<webhook_delivery_record>& page) const override;
  std::string error(const failure& reason) const override;
  std::string events(const std::vector<persistence::event_record>& events,
                     bool has_more) const override;
  std::string event(const persistence::event_record& event) const override;
  unsigned status_of(settle_errc code) const override;
  std::string code_of(settle_errc code) const override;
};

} // namespace settle::net
