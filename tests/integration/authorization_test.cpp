// Who may move money (the contract's Trust boundary): the payer's tenant acts on an order,
// the payee's tenant sees it and alone refunds it; world accounts are named by admins only;
// tenants compare byte for byte.
#include "tests/integration/harness/event_helpers.hpp"
#include "tests/integration/harness/testing.hpp"

using namespace settle::integration;
namespace json = boost::json;

namespace {

http_response act(api_client& client, const std::string& order_id, const std::string& action) {
  return client.post(order_path(order_id) + "/" + action, json::object{});
}

bool lists_order(api_client& client, const std::string& target, const std::string& order_id) {
  for (const auto& order : list_all(client, target)) {
    if (id_of(order) == order_id) {
      return true;
    }
  }
  return false;
}

}  // namespace

TEST_CASE("only the payee's tenant refunds an order that pays another tenant", "[orders][tenancy][money]") {
  auto& server = shared_server();
  auto& payer_tenant = server.acme();
  auto& payee_tenant = server.globex();
  const auto customer = funded_account(payer_tenant, 1000);
  const auto merchant = new_account(payee_tenant);
  const auto order_id = id_of(create_order(payer_tenant, order_request(customer, merchant, 400, "automatic")));
  order_action(payer_tenant, order_id, "confirm");
  CHECK(balance_of(payer_tenant, customer) == 600);
  CHECK(balance_of(payee_tenant, merchant) == 400);

  // The payer cannot take the money back out of the merchant's account.
  CHECK_ERROR(act(payer_tenant, order_id, "refunds"), 403, "forbidden", any_param);
  CHECK_ERROR(payer_tenant.post(order_path(order_id) + "/refunds", json::object{{"amount", 1}}), 403, "forbidden",
              any_param);
  CHECK(balance_of(payee_tenant, merchant) == 400);
  CHECK(balance_of(payer_tenant, customer) == 600);

  // The payee sees the order, in its lists too, but only reads it.
  const auto seen = get_object(payee_tenant, order_path(order_id));
  CHECK(string_field(seen, "status") == "settled");
  CHECK(lists_order(payee_tenant, "/v1/orders", order_id));
  CHECK(lists_order(payee_tenant, "/v1/orders?account=" + merchant, order_id));
  CHECK_ERROR(act(payee_tenant, order_id, "cancel"), 403, "forbidden", any_param);
  CHECK_ERROR(payee_tenant.put(order_path(order_id), json::object{{"description", "mine"}}), 403, "forbidden",
              any_param);
  bool payee_saw_event = false;
  for (const auto& event : events_after(payee_tenant, 0)) {
    const auto& object = event.at("object").as_object();
    payee_saw_event = payee_saw_event || (object.contains("id") && string_field(object, "id") == order_id);
  }
  CHECK(payee_saw_event);

  // The payee refunds.
  CHECK(string_field(order_action(payee_tenant, order_id, "refunds", json::object{{"amount", 150}}), "status") ==
        "partially_refunded");
  CHECK(balance_of(payee_tenant, merchant) == 250);
  CHECK(balance_of(payer_tenant, customer) == 750);
  // A third tenant still sees nothing.
  CHECK_ERROR(server.acme_upper().get(order_path(order_id)), 404, "not_found", any_param);
  CHECK_ERROR(act(server.acme_upper(), order_id, "refunds"), 404, "not_found", any_param);
  CHECK(audit(server.admin()).at("ok") == true);
}

TEST_CASE("an admin may refund any order; a tenant that is payer and payee does everything",
          "[orders][tenancy][money]") {
  auto& server = shared_server();
  auto& acme = server.acme();
  const auto customer = funded_account(acme, 500);
  const auto shop = new_account(acme);
  const auto own_order = id_of(create_order(acme, order_request(customer, shop, 100, "automatic")));
  order_action(acme, own_order, "confirm");
  CHECK(string_field(order_action(acme, own_order, "refunds", json::object{{"amount", 40}}), "status") ==
        "partially_refunded");
  CHECK(string_field(order_action(server.admin(), own_order, "refunds"), "status") == "refunded");
  CHECK(balance_of(acme, customer) == 500);
}

TEST_CASE("world accounts are named only by admins", "[accounts][tenancy]") {
  auto& server = shared_server();
  auto& acme = server.acme();
  const auto customer = funded_account(acme, 500);
  const std::string world = "acc_world_USD";
  CHECK_ERROR(acme.post("/v1/orders", order_request(customer, world, 100)), 404, "not_found", param("payee_account"));
  CHECK_ERROR(acme.post("/v1/orders", order_request(world, customer, 100)), 404, "not_found", param("payer_account"));
  CHECK_ERROR(acme.get("/v1/accounts/" + world), 404, "not_found", any_param);
  CHECK_ERROR(acme.get("/v1/accounts/" + world + "/entries"), 404, "not_found", any_param);
  CHECK_ERROR(acme.get("/v1/transfers?account=" + world), 404, "not_found", any_param);
  CHECK_ERROR(post_transfer(acme, customer, world, 100), 404, "not_found", param("to_account"));
  CHECK(balance_of(acme, customer) == 500);
  CHECK_STATUS(server.admin().get("/v1/accounts/" + world), 200);
}

TEST_CASE("tenant names that differ only in case are two tenants", "[tenancy][events]") {
  auto& server = shared_server();
  auto& lower = server.acme();
  auto& upper = server.acme_upper();
  const auto lower_account = funded_account(lower, 123);
  const auto upper_account = funded_account(upper, 456);
  CHECK_ERROR(lower.get("/v1/accounts/" + upper_account), 404, "not_found", any_param);
  CHECK_ERROR(upper.get("/v1/accounts/" + lower_account), 404, "not_found", any_param);
  for (const auto& account : list_all(upper, "/v1/accounts")) {
    CHECK(id_of(account) != lower_account);
  }
  // The event log is filtered by tenant in SQL: LIKE on SQLite ignored ASCII case.
  for (const auto& event : events_after(upper, 0)) {
    CHECK(json::serialize(event).find(lower_account) == std::string::npos);
  }
  for (const auto& event : events_after(lower, 0)) {
    CHECK(json::serialize(event).find(upper_account) == std::string::npos);
  }
}
