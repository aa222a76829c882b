// How the gateway turns records into response bodies. The ingress (net/) implements it,
// so the actors stay free of JSON while the gateway can store the exact answer of a
// request in the same transaction as its effect (idempotent replays).
#pragma once

#include "domain/shard_map.hpp"

#include "domain/errc.hpp"
#include "domain/order.hpp"
#include "domain/records.hpp"
#include "persistence/ledger_store.hpp"
#include "persistence/store_reader.hpp"

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace settle {

// One item of a batch's answer: the settled transfer's JSON (rendered once, for its event
// and the answer alike), or why the item failed.
using batch_result = std::variant<std::string, failure>;

class response_renderer : public persistence::account_renderer {
public:

  virtual std::string user(const user_record& user) const = 0;
  virtual std::string deleted_user(const user_record& user) const = 0;
  virtual std::string transfer(const transfer_record& transfer) const = 0;
  virtual std::string order(const order_record& order) const = 0;
  virtual std::string orders(const persistence::list_page<order_record>& page) const = 0;
  virtual std::string users(const persistence::list_page<user_record>& page) const = 0;
  virtual std::string accounts(const persistence::list_page<account_record>& page) const = 0;
  virtual std::string transfers(const persistence::list_page<transfer_record>& page) const = 0;
  virtual std::string entries(const persistence::list_page<entry_record>& page) const = 0;
  virtual std::string batch(const std::vector<batch_result>& results) const = 0;
  virtual std::string audit(const persistence::audit_report& report) const = 0;
  virtual std::string cluster(const std::string& node_id, std::uint32_t shard_count,
                              const std::vector<cluster_member>& members) const = 0;
  virtual std::string readiness(bool ready) const = 0;
  // `with_secret`: the answer to the endpoint's creation, the only one that shows it.
  virtual std::string webhook_endpoint(const webhook_endpoint_record& endpoint,
                                       bool with_secret) const = 0;
  virtual std::string deleted_webhook_endpoint(const webhook_endpoint_record& endpoint) const = 0;
  virtual std::string
  webhook_endpoints(const persistence::list_page<webhook_endpoint_record>& page) const = 0;
  virtual std::string webhook_delivery(const webhook_delivery_record& delivery) const = 0;
  virtual std::string
  webhook_deliveries(const persistence::list_page<webhook_delivery_record>& page) const = 0;
  virtual std::string error(const failure& reason) const = 0;
  virtual std::string events(const std::vector<persistence::event_record>& events,
                             bool has_more) const = 0;
  // One event as the stream and the events list show it.
  virtual std::string event(const persistence::event_record& event) const = 0;
  virtual unsigned status_of(settle_errc code) const = 0;
  // The API's code for `code`, e.g. "insufficient_funds" (an order's failure_code).
  virtual std::string code_of(settle_errc code) const = 0;
};

} // namespace settle
