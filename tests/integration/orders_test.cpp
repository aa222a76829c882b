// Orders (payment intents): the order object; every transition of the state machine and
// the refusal of every other with 409 invalid_state; holds on the payer (held, available);
// captures and refunds as transfers; expiry of authorizations, also across a kill -9;
// confirmations racing for the same money and capture racing cancel; a hold released at
// most once; validation, updates, lists and idempotent replays. Every test that moves
// money ends with a clean audit.
#include "tests/integration/harness/concurrency.hpp"
#include "tests/integration/harness/testing.hpp"

#include <algorithm>
#include <atomic>
#include <csignal>
#include <stdexcept>
#include <memory>
#include <optional>
#include <ostream>
#include <thread>

using namespace settle::integration;
namespace json = boost::json;
using namespace std::chrono_literals;
using std::chrono::system_clock;

namespace {

const auto order_keys = key_set({"id", "object", "status", "payer_account", "payee_account", "amount", "currency",
                                 "capture_method", "amount_authorized", "amount_captured", "amount_refunded",
                                 "description", "failure_code", "expires_at", "created_at", "updated_at"});

constexpr std::int64_t default_ttl_s = 600;
constexpr std::int64_t largest_ttl_s = 604'800;  // 7 days

// The money fields of one account.
struct funds {
  std::int64_t balance = 0;
  std::int64_t held = 0;
  std::int64_t available = 0;

  bool operator==(const funds& other) const {
    return balance == other.balance && held == other.held && available == other.available;
  }
  bool operator!=(const funds& other) const { return !(*this == other); }
};

std::ostream& operator<<(std::ostream& out, const funds& value) {
  return out << "{balance " << value.balance << ", held " << value.held << ", available " << value.available << "}";
}

funds funds_of(api_client& client, const std::string& account_id) {
  const auto account = get_object(client, account_path(account_id));
  return {integer_field(account, "balance"), integer_field(account, "held"), integer_field(account, "available")};
}

// An account without overdraft: available is balance minus held.
funds funds_with(std::int64_t balance, std::int64_t held) { return {balance, held, balance - held}; }

json::object order_of(api_client& client, const std::string& order_id) {
  return get_object(client, order_path(order_id));
}

std::string status_of(api_client& client, const std::string& order_id) {
  return string_field(order_of(client, order_id), "status");
}

// POST /v1/orders/{id}/{action} with the body `{}`, whatever the answer.
http_response act(api_client& client, const std::string& order_id, const std::string& action,
                  const json::object& body = {}) {
  return client.post(order_path(order_id) + "/" + action, body);
}

// An order of `amount` from payer to payee, created and confirmed; returns its id.
std::string authorized_order(api_client& client, const std::string& payer, const std::string& payee,
                             std::int64_t amount, std::optional<std::int64_t> ttl_s = std::nullopt) {
  auto request = order_request(payer, payee, amount);
  if (ttl_s) {
    request["authorization_ttl_s"] = *ttl_s;
  }
  const auto order_id = id_of(create_order(client, request));
  const auto authorized = order_action(client, order_id, "confirm");
  if (string_field(authorized, "status") != "authorized") {
    throw std::runtime_error("confirm did not authorize: " + json::serialize(authorized));
  }
  return order_id;
}

// 409 invalid_state whose message names the order's current status.
void check_invalid_state(const http_response& response, const std::string& current_status) {
  CHECK_ERROR(response, 409, "invalid_state", any_param);
  if (response.status == 409) {
    const auto message = string_field(object_field(json_object(response), "error"), "message");
    INFO("message: " << message << "; current status " << current_status);
    CHECK(message.find(current_status) != std::string::npos);
  }
}

void check_audit_ok(api_client& admin) {
  const auto report = audit(admin);
  INFO("audit: " << json::serialize(report));
  CHECK(report.at("ok") == true);
}

// Milliseconds from `reference` to the instant a timestamp field names.
std::int64_t milliseconds_after(const json::object& object, std::string_view field,
                                system_clock::time_point reference) {
  const auto text = string_field(object, field);
  const auto instant = parse_utc_timestamp(text);
  if (!instant) {
    throw std::runtime_error("field \"" + std::string(field) + "\" is not an RFC 3339 UTC timestamp with ms: " + text);
  }
  return std::chrono::duration_cast<std::chrono::milliseconds>(*instant - reference).count();
}

system_clock::time_point instant_of(const json::object& object, std::string_view field) {
  const auto text = string_field(object, field);
  const auto instant = parse_utc_timestamp(text);
  if (!instant) {
    throw std::runtime_error("field \"" + std::string(field) + "\" is not an RFC 3339 UTC timestamp with ms: " + text);
  }
  return *instant;
}

// `expires_at` of an order confirmed between `before` and `after` (this machine's clock,
// which the server shares) must be the authorization time plus the ttl; a second of slack
// on each side catches a wrong unit or a missing ttl without depending on scheduling.
void check_expires_at(const json::object& order, system_clock::time_point before, system_clock::time_point after,
                      std::int64_t ttl_s) {
  REQUIRE_FALSE(is_null_field(order, "expires_at"));
  CHECK(is_utc_timestamp_with_milliseconds(string_field(order, "expires_at")));
  const auto offset = milliseconds_after(order, "expires_at", before) - ttl_s * 1000;
  const auto window = std::chrono::duration_cast<std::chrono::milliseconds>(after - before).count();
  INFO("expires_at " << string_field(order, "expires_at") << " is " << offset
                     << " ms after the request was sent plus the ttl of " << ttl_s << " s; the request took " << window
                     << " ms");
  CHECK(offset >= -1000);
  CHECK(offset <= window + 1000);
}

// Polls an account until its `held` is `held`, or `deadline` passes; returns when it was
// first seen so (this machine's clock), or nothing.
std::optional<system_clock::time_point> wait_for_held(api_client& client, const std::string& account_id,
                                                      std::int64_t held, system_clock::time_point deadline) {
  for (;;) {
    const auto seen = funds_of(client, account_id).held;
    const auto now = system_clock::now();
    if (seen == held) {
      return now;
    }
    if (now > deadline) {
      return std::nullopt;
    }
    std::this_thread::sleep_for(50ms);
  }
}

bool is_replay(const http_response& response) {
  return response.header("Idempotent-Replayed").value_or("") == "true";
}

header_list with_key(const std::string& key) { return {{"Idempotency-Key", key}}; }

// A transfer of an order: kind, sides, amount and order id.
void check_order_transfer(const json::object& transfer, const std::string& kind, const std::string& from,
                          const std::string& to, std::int64_t amount, const std::string& order_id) {
  INFO("transfer " << json::serialize(transfer));
  CHECK(string_field(transfer, "object") == "transfer");
  CHECK(string_field(transfer, "kind") == kind);
  CHECK(string_field(transfer, "from_account") == from);
  CHECK(string_field(transfer, "to_account") == to);
  CHECK(integer_field(transfer, "amount") == amount);
  CHECK(string_field(transfer, "currency") == "USD");
  CHECK(string_field(transfer, "status") == "settled");
  CHECK(transfer.at("order_id") == json::value(order_id));
}

void check_order_entry(const json::object& entry, const std::string& kind, const json::object& transfer,
                       std::int64_t signed_amount, std::int64_t balance_after, const std::string& order_id) {
  INFO("entry " << json::serialize(entry));
  CHECK(string_field(entry, "kind") == kind);
  CHECK(string_field(entry, "transfer_id") == id_of(transfer));
  CHECK(integer_field(entry, "amount") == signed_amount);
  CHECK(integer_field(entry, "balance_after") == balance_after);
  CHECK(entry.at("order_id") == json::value(order_id));
}

}  // namespace

// ---------------------------------------------------------------------------------------
// The object and the happy paths

TEST_CASE("an order is created in status created and holds nothing yet", "[orders]") {
  auto& server = shared_server();
  auto& client = server.acme();
  const auto payer = funded_account(client, 1000);
  const auto payee = new_account(client);
  auto request = order_request(payer, payee, 300);
  request["description"] = "Order #1001";
  const auto response = client.post("/v1/orders", request);
  REQUIRE_STATUS(response, 201);
  const auto order = json_object(response);
  CHECK(keys_of(order) == order_keys);
  CHECK(id_of(order).rfind("ord_", 0) == 0);
  CHECK(id_of(order).size() <= 64);
  CHECK(string_field(order, "object") == "order");
  CHECK(string_field(order, "status") == "created");
  CHECK(string_field(order, "payer_account") == payer);
  CHECK(string_field(order, "payee_account") == payee);
  CHECK(integer_field(order, "amount") == 300);
  CHECK(string_field(order, "currency") == "USD");
  CHECK(string_field(order, "capture_method") == "manual");
  CHECK(integer_field(order, "amount_authorized") == 0);
  CHECK(integer_field(order, "amount_captured") == 0);
  CHECK(integer_field(order, "amount_refunded") == 0);
  CHECK(string_field(order, "description") == "Order #1001");
  CHECK(is_null_field(order, "failure_code"));
  CHECK(is_null_field(order, "expires_at"));
  CHECK(is_recent_timestamp(string_field(order, "created_at")));
  CHECK(is_recent_timestamp(string_field(order, "updated_at")));
  CHECK(order_of(client, id_of(order)) == order);

  // Without a description it is the empty string, as for transfers.
  const auto plain = create_order(client, order_request(payer, payee, 5, "automatic"));
  CHECK(string_field(plain, "description") == "");
  CHECK(string_field(plain, "capture_method") == "automatic");

  CHECK(funds_of(client, payer) == funds_with(1000, 0));
  CHECK(funds_of(client, payee) == funds_with(0, 0));
  CHECK_ERROR(client.get("/v1/orders/ord_doesnotexist"), 404, "not_found", any_param);
}

TEST_CASE("a manual order is authorized, holds the amount, and its capture is a transfer", "[orders][money]") {
  auto& server = shared_server();
  auto& client = server.acme();
  const auto payer = funded_account(client, 1000);
  const auto payee = new_account(client);
  const auto order_id = id_of(create_order(client, order_request(payer, payee, 300)));

  const auto before = system_clock::now();
  const auto confirm = act(client, order_id, "confirm");
  const auto after = system_clock::now();
  REQUIRE_STATUS(confirm, 200);
  const auto authorized = json_object(confirm);
  CHECK(keys_of(authorized) == order_keys);
  CHECK(string_field(authorized, "status") == "authorized");
  CHECK(integer_field(authorized, "amount_authorized") == 300);
  CHECK(integer_field(authorized, "amount_captured") == 0);
  CHECK(is_null_field(authorized, "failure_code"));
  check_expires_at(authorized, before, after, default_ttl_s);
  CHECK(is_recent_timestamp(string_field(authorized, "updated_at")));
  CHECK(order_of(client, order_id) == authorized);
  // The hold: counted in held, out of available, not yet out of the balance.
  CHECK(funds_of(client, payer) == funds_with(1000, 300));
  CHECK(funds_of(client, payee) == funds_with(0, 0));
  // Authorizing moves no money: no transfer, no entry.
  CHECK(list_all(client, "/v1/transfers?account=" + payer).size() == 1);
  CHECK(list_all(client, account_path(payer) + "/entries").size() == 1);

  const auto capture = act(client, order_id, "capture");
  REQUIRE_STATUS(capture, 200);
  const auto settled = json_object(capture);
  CHECK(keys_of(settled) == order_keys);
  CHECK(string_field(settled, "status") == "settled");
  CHECK(integer_field(settled, "amount_authorized") == 300);
  CHECK(integer_field(settled, "amount_captured") == 300);
  CHECK(integer_field(settled, "amount_refunded") == 0);
  CHECK(order_of(client, order_id) == settled);
  CHECK(funds_of(client, payer) == funds_with(700, 0));
  CHECK(funds_of(client, payee) == funds_with(300, 0));

  const auto transfers = get_list(client, "/v1/transfers?account=" + payer).data;
  REQUIRE(transfers.size() == 2);
  const auto& captured = transfers.front();
  check_order_transfer(captured, "capture", payer, payee, 300, order_id);
  CHECK(get_object(client, "/v1/transfers/" + id_of(captured)) == captured);
  CHECK(get_list(client, "/v1/transfers?account=" + payee).data.at(0) == captured);
  check_order_entry(get_list(client, account_path(payer) + "/entries?limit=1").data.at(0), "capture", captured, -300,
                    700, order_id);
  check_order_entry(get_list(client, account_path(payee) + "/entries?limit=1").data.at(0), "capture", captured, 300,
                    300, order_id);
  check_audit_ok(server.admin());
}

TEST_CASE("a partial capture moves only the amount captured and releases the rest", "[orders][money]") {
  auto& server = shared_server();
  auto& client = server.acme();
  const auto payer = funded_account(client, 1000);
  const auto payee = new_account(client);
  const auto order_id = authorized_order(client, payer, payee, 500);
  const auto authorized = order_of(client, order_id);

  // Above the authorized amount, or not an amount at all: refused, nothing changes.
  CHECK_ERROR(act(client, order_id, "capture", {{"amount", 501}}), 422, "invalid_parameter", param("amount"));
  for (const json::value& amount : {json::value(0), json::value(-1), json::value(1.5), json::value("200"),
                                   json::value(nullptr), json::value(1'000'000'000'000'001)}) {
    INFO("capture amount " << json::serialize(amount));
    CHECK_ERROR(act(client, order_id, "capture", {{"amount", amount}}), 422, "invalid_parameter", param("amount"));
  }
  CHECK(order_of(client, order_id) == authorized);
  CHECK(funds_of(client, payer) == funds_with(1000, 500));

  const auto settled = order_action(client, order_id, "capture", {{"amount", 200}});
  CHECK(string_field(settled, "status") == "settled");
  CHECK(integer_field(settled, "amount_authorized") == 500);
  CHECK(integer_field(settled, "amount_captured") == 200);
  // The 300 not captured go back: held to 0, available restored.
  CHECK(funds_of(client, payer) == funds_with(800, 0));
  CHECK(funds_of(client, payee) == funds_with(200, 0));
  check_order_transfer(get_list(client, "/v1/transfers?account=" + payer).data.at(0), "capture", payer, payee, 200,
                       order_id);
  // The order is settled: the rest cannot be captured later.
  check_invalid_state(act(client, order_id, "capture", {{"amount", 300}}), "settled");
  CHECK(funds_of(client, payer) == funds_with(800, 0));

  // Capturing exactly the authorized amount is allowed.
  const auto exact_id = authorized_order(client, payer, payee, 800);
  CHECK(integer_field(order_action(client, exact_id, "capture", {{"amount", 800}}), "amount_captured") == 800);
  CHECK(funds_of(client, payer) == funds_with(0, 0));
  CHECK(funds_of(client, payee) == funds_with(1000, 0));
  check_audit_ok(server.admin());
}

TEST_CASE("an automatic order settles on confirmation", "[orders][money]") {
  auto& server = shared_server();
  auto& client = server.acme();
  const auto payer = funded_account(client, 1000);
  const auto payee = new_account(client);
  const auto order_id = id_of(create_order(client, order_request(payer, payee, 250, "automatic")));
  const auto settled = order_action(client, order_id, "confirm");
  CHECK(keys_of(settled) == order_keys);
  CHECK(string_field(settled, "status") == "settled");
  CHECK(string_field(settled, "capture_method") == "automatic");
  CHECK(integer_field(settled, "amount_authorized") == 250);
  CHECK(integer_field(settled, "amount_captured") == 250);
  CHECK(integer_field(settled, "amount_refunded") == 0);
  CHECK(is_null_field(settled, "failure_code"));
  // Never held, so never expiring (docs/openapi.yaml: Order.expires_at).
  CHECK(is_null_field(settled, "expires_at"));
  CHECK(order_of(client, order_id) == settled);
  CHECK(funds_of(client, payer) == funds_with(750, 0));
  CHECK(funds_of(client, payee) == funds_with(250, 0));
  check_order_transfer(get_list(client, "/v1/transfers?account=" + payer).data.at(0), "capture", payer, payee, 250,
                       order_id);
  check_invalid_state(act(client, order_id, "capture"), "settled");
  check_invalid_state(act(client, order_id, "cancel"), "settled");
  check_audit_ok(server.admin());
}

TEST_CASE("a confirmation without the funds fails the order, and it may be confirmed again", "[orders][money]") {
  auto& server = shared_server();
  auto& client = server.acme();
  for (const std::string method : {"manual", "automatic"}) {
    INFO("capture_method " << method);
    const auto payer = funded_account(client, 100);
    const auto payee = new_account(client);
    const auto order_id = id_of(create_order(client, order_request(payer, payee, 300, method)));

    CHECK_ERROR(act(client, order_id, "confirm"), 402, "insufficient_funds", any_param);
    const auto failed = order_of(client, order_id);
    CHECK(string_field(failed, "status") == "failed");
    CHECK(failed.at("failure_code") == json::value("insufficient_funds"));
    CHECK(integer_field(failed, "amount_authorized") == 0);
    CHECK(integer_field(failed, "amount_captured") == 0);
    CHECK(is_null_field(failed, "expires_at"));
    CHECK(funds_of(client, payer) == funds_with(100, 0));
    // Still short: it fails again.
    CHECK_ERROR(act(client, order_id, "confirm"), 402, "insufficient_funds", any_param);
    CHECK(status_of(client, order_id) == "failed");

    deposit(client, payer, 500);
    const auto confirmed = order_action(client, order_id, "confirm");
    CHECK(is_null_field(confirmed, "failure_code"));
    CHECK(integer_field(confirmed, "amount_authorized") == 300);
    if (method == "manual") {
      CHECK(string_field(confirmed, "status") == "authorized");
      CHECK_FALSE(is_null_field(confirmed, "expires_at"));
      CHECK(funds_of(client, payer) == funds_with(600, 300));
      CHECK(funds_of(client, payee) == funds_with(0, 0));
    } else {
      CHECK(string_field(confirmed, "status") == "settled");
      CHECK(integer_field(confirmed, "amount_captured") == 300);
      CHECK(funds_of(client, payer) == funds_with(300, 0));
      CHECK(funds_of(client, payee) == funds_with(300, 0));
    }
    CHECK(order_of(client, order_id) == confirmed);
  }
  check_audit_ok(server.admin());
}

TEST_CASE("refunds move money back from the payee as transfers of kind refund", "[orders][money]") {
  auto& server = shared_server();
  auto& client = server.acme();
  const auto payer = funded_account(client, 1000);
  const auto payee = new_account(client);
  const auto order_id = authorized_order(client, payer, payee, 400);
  order_action(client, order_id, "capture", {{"amount", 250}});

  // More than was captured: refused, nothing changes.
  CHECK_ERROR(act(client, order_id, "refunds", {{"amount", 251}}), 422, "invalid_parameter", param("amount"));
  CHECK_ERROR(act(client, order_id, "refunds", {{"amount", 0}}), 422, "invalid_parameter", param("amount"));
  CHECK_ERROR(act(client, order_id, "refunds", {{"amount", "10"}}), 422, "invalid_parameter", param("amount"));
  CHECK(status_of(client, order_id) == "settled");

  const auto partial = order_action(client, order_id, "refunds", {{"amount", 100}});
  CHECK(keys_of(partial) == order_keys);
  CHECK(string_field(partial, "status") == "partially_refunded");
  CHECK(integer_field(partial, "amount_captured") == 250);
  CHECK(integer_field(partial, "amount_refunded") == 100);
  CHECK(order_of(client, order_id) == partial);
  CHECK(funds_of(client, payer) == funds_with(850, 0));
  CHECK(funds_of(client, payee) == funds_with(150, 0));

  const auto transfers = get_list(client, "/v1/transfers?account=" + payer).data;
  REQUIRE(transfers.size() == 3);  // refund, capture, deposit
  const auto& refund = transfers[0];
  check_order_transfer(refund, "refund", payee, payer, 100, order_id);
  check_order_transfer(transfers[1], "capture", payer, payee, 250, order_id);
  CHECK(get_object(client, "/v1/transfers/" + id_of(refund)) == refund);
  check_order_entry(get_list(client, account_path(payer) + "/entries?limit=1").data.at(0), "refund", refund, 100, 850,
                    order_id);
  check_order_entry(get_list(client, account_path(payee) + "/entries?limit=1").data.at(0), "refund", refund, -100,
                    150, order_id);

  // Beyond what is left to refund (250 - 100): refused.
  CHECK_ERROR(act(client, order_id, "refunds", {{"amount", 151}}), 422, "invalid_parameter", param("amount"));
  CHECK(order_of(client, order_id) == partial);
  // Without an amount, everything left.
  const auto refunded = order_action(client, order_id, "refunds");
  CHECK(string_field(refunded, "status") == "refunded");
  CHECK(integer_field(refunded, "amount_refunded") == 250);
  CHECK(funds_of(client, payer) == funds_with(1000, 0));
  CHECK(funds_of(client, payee) == funds_with(0, 0));
  check_order_transfer(get_list(client, "/v1/transfers?account=" + payer).data.at(0), "refund", payee, payer, 150,
                       order_id);
  check_invalid_state(act(client, order_id, "refunds", {{"amount", 1}}), "refunded");
  check_audit_ok(server.admin());
}

TEST_CASE("a refund the payee cannot fund is 402 and changes nothing", "[orders][money]") {
  auto& server = shared_server();
  auto& client = server.acme();
  const auto payer = funded_account(client, 1000);
  const auto payee = new_account(client);
  const auto order_id = authorized_order(client, payer, payee, 600);
  order_action(client, order_id, "capture");
  withdraw(client, payee, 550);  // the payee keeps 50 of the 600
  const auto settled = order_of(client, order_id);
  const auto entries_before = list_all(client, account_path(payee) + "/entries");

  CHECK_ERROR(act(client, order_id, "refunds", {{"amount", 51}}), 402, "insufficient_funds", any_param);
  CHECK_ERROR(act(client, order_id, "refunds"), 402, "insufficient_funds", any_param);
  CHECK(order_of(client, order_id) == settled);
  CHECK(funds_of(client, payer) == funds_with(400, 0));
  CHECK(funds_of(client, payee) == funds_with(50, 0));
  CHECK(list_all(client, account_path(payee) + "/entries") == entries_before);

  // What the payee has can be refunded.
  CHECK(string_field(order_action(client, order_id, "refunds", {{"amount", 50}}), "status") == "partially_refunded");
  CHECK(funds_of(client, payer) == funds_with(450, 0));
  CHECK(funds_of(client, payee) == funds_with(0, 0));
  check_audit_ok(server.admin());
}

TEST_CASE("a hold reserves the money until it is captured, cancelled or expires", "[orders][money]") {
  auto& server = shared_server();
  auto& client = server.acme();
  const auto payer = funded_account(client, 1000);
  const auto payee = new_account(client);
  const auto other = new_account(client);
  const auto first = authorized_order(client, payer, payee, 700);
  CHECK(funds_of(client, payer) == funds_with(1000, 700));

  // Only the 300 still available can be spent, by any means.
  CHECK_ERROR(client.post(account_path(payer) + "/withdrawals", json::object{{"amount", 301}}), 402,
              "insufficient_funds", any_param);
  CHECK_ERROR(post_transfer(client, payer, other, 301), 402, "insufficient_funds", any_param);
  const auto too_much = id_of(create_order(client, order_request(payer, payee, 301)));
  CHECK_ERROR(act(client, too_much, "confirm"), 402, "insufficient_funds", any_param);
  CHECK(funds_of(client, payer) == funds_with(1000, 700));
  // A held amount keeps the account open.
  CHECK_ERROR(client.remove(account_path(payer)), 409, "account_not_empty", any_param);

  const auto second = authorized_order(client, payer, payee, 300);
  CHECK(funds_of(client, payer) == funds_with(1000, 1000));
  CHECK_STATUS(post_transfer(client, payer, other, 1), 402);

  CHECK(string_field(order_action(client, first, "cancel"), "status") == "cancelled");
  CHECK(funds_of(client, payer) == funds_with(1000, 300));
  CHECK(string_field(order_action(client, second, "capture", {{"amount", 100}}), "status") == "settled");
  CHECK(funds_of(client, payer) == funds_with(900, 0));
  CHECK(funds_of(client, payee) == funds_with(100, 0));
  CHECK_STATUS(post_transfer(client, payer, other, 900), 201);
  CHECK(funds_of(client, payer) == funds_with(0, 0));
  check_audit_ok(server.admin());
}

// ---------------------------------------------------------------------------------------
// The state machine, table-driven

namespace {

constexpr std::int64_t table_amount = 100;

struct order_fixture {
  std::string payer;
  std::string payee;
  std::string order_id;
};

// A manual order of 100 in `state`, on new accounts: the payer starts with 1000 (with 50,
// and then 1000 more once the order failed, for "failed"), the payee with nothing.
//   authorized: payer {1000, held 100};  settled: payer 900, payee 100;
//   partially_refunded: 40 refunded, payer 940, payee 60;  refunded: payer 1000, payee 0.
order_fixture order_in(api_client& client, const std::string& state) {
  order_fixture fixture;
  const bool failing = state == "failed";
  fixture.payer = funded_account(client, failing ? 50 : 1000);
  fixture.payee = new_account(client);
  fixture.order_id = id_of(create_order(client, order_request(fixture.payer, fixture.payee, table_amount)));
  if (failing) {
    const auto refused = act(client, fixture.order_id, "confirm");
    if (refused.status != 402) {
      throw std::runtime_error("confirm without funds: expected 402, got " + refused.body);
    }
    deposit(client, fixture.payer, 1000);
  } else if (state != "created") {
    order_action(client, fixture.order_id, "confirm");
    if (state == "cancelled") {
      order_action(client, fixture.order_id, "cancel");
    } else if (state != "authorized") {
      order_action(client, fixture.order_id, "capture");
      if (state == "partially_refunded") {
        order_action(client, fixture.order_id, "refunds", {{"amount", 40}});
      } else if (state == "refunded") {
        order_action(client, fixture.order_id, "refunds");
      }
    }
  }
  const auto reached = status_of(client, fixture.order_id);
  if (reached != state) {
    throw std::runtime_error("could not bring an order to " + state + ": it is " + reached);
  }
  return fixture;
}

http_response perform(api_client& client, const std::string& order_id, const std::string& action) {
  if (action == "DELETE") {
    return client.remove(order_path(order_id));
  }
  return act(client, order_id, action);
}

struct transition {
  std::string from;
  std::string action;  // confirm, capture, cancel, DELETE (also a cancel), refunds
  std::string to;      // empty: 409 invalid_state
  funds payer_after{};
  std::int64_t payee_after = 0;
};

}  // namespace

TEST_CASE("every allowed transition succeeds and every other is 409 invalid_state", "[orders][states]") {
  auto& server = shared_server();
  auto& client = server.acme();
  // The actions without a body: a capture captures everything, a refund refunds what is left.
  const std::vector<transition> table = {
      {"created", "confirm", "authorized", funds_with(1000, 100), 0},
      {"created", "capture", ""},
      {"created", "cancel", "cancelled", funds_with(1000, 0), 0},
      {"created", "DELETE", "cancelled", funds_with(1000, 0), 0},
      {"created", "refunds", ""},

      {"authorized", "confirm", ""},
      {"authorized", "capture", "settled", funds_with(900, 0), 100},
      {"authorized", "cancel", "cancelled", funds_with(1000, 0), 0},
      {"authorized", "DELETE", "cancelled", funds_with(1000, 0), 0},
      {"authorized", "refunds", ""},

      {"failed", "confirm", "authorized", funds_with(1050, 100), 0},
      {"failed", "capture", ""},
      {"failed", "cancel", "cancelled", funds_with(1050, 0), 0},
      {"failed", "DELETE", "cancelled", funds_with(1050, 0), 0},
      {"failed", "refunds", ""},

      {"settled", "confirm", ""},
      {"settled", "capture", ""},
      {"settled", "cancel", ""},
      {"settled", "DELETE", ""},
      {"settled", "refunds", "refunded", funds_with(1000, 0), 0},

      {"partially_refunded", "confirm", ""},
      {"partially_refunded", "capture", ""},
      {"partially_refunded", "cancel", ""},
      {"partially_refunded", "DELETE", ""},
      {"partially_refunded", "refunds", "refunded", funds_with(1000, 0), 0},

      {"refunded", "confirm", ""},
      {"refunded", "capture", ""},
      {"refunded", "cancel", ""},
      {"refunded", "DELETE", ""},
      {"refunded", "refunds", ""},

      {"cancelled", "confirm", ""},
      {"cancelled", "capture", ""},
      {"cancelled", "cancel", ""},
      {"cancelled", "DELETE", ""},
      {"cancelled", "refunds", ""},
  };
  for (const auto& row : table) {
    INFO(row.from << " --" << row.action << "--> " << (row.to.empty() ? "409 invalid_state" : row.to));
    const auto fixture = order_in(client, row.from);
    const auto order_before = order_of(client, fixture.order_id);
    const auto payer_before = funds_of(client, fixture.payer);
    const auto payee_before = funds_of(client, fixture.payee);

    const auto response = perform(client, fixture.order_id, row.action);
    if (row.to.empty()) {
      check_invalid_state(response, row.from);
      CHECK(order_of(client, fixture.order_id) == order_before);
      CHECK(funds_of(client, fixture.payer) == payer_before);
      CHECK(funds_of(client, fixture.payee) == payee_before);
    } else {
      CHECK_STATUS(response, 200);
      if (response.status == 200) {
        const auto order = json_object(response);
        CHECK(keys_of(order) == order_keys);
        CHECK(string_field(order, "status") == row.to);
        CHECK(order_of(client, fixture.order_id) == order);
      }
      CHECK(funds_of(client, fixture.payer) == row.payer_after);
      CHECK(funds_of(client, fixture.payee) == funds_with(row.payee_after, 0));
    }
  }
  check_audit_ok(server.admin());
}

TEST_CASE("a hold is released at most once and money moves at most once per order", "[orders][money]") {
  auto& server = shared_server();
  auto& client = server.acme();
  const auto payer = funded_account(client, 1000);
  const auto payee = new_account(client);
  const auto other_hold = authorized_order(client, payer, payee, 30);

  // Cancelled twice, by either route: the second release would free the other hold.
  const auto cancelled_id = authorized_order(client, payer, payee, 100);
  CHECK(funds_of(client, payer) == funds_with(1000, 130));
  CHECK(string_field(order_action(client, cancelled_id, "cancel"), "status") == "cancelled");
  CHECK(funds_of(client, payer) == funds_with(1000, 30));
  check_invalid_state(act(client, cancelled_id, "cancel"), "cancelled");
  check_invalid_state(client.remove(order_path(cancelled_id)), "cancelled");
  check_invalid_state(act(client, cancelled_id, "capture"), "cancelled");
  check_invalid_state(act(client, cancelled_id, "confirm"), "cancelled");
  CHECK(funds_of(client, payer) == funds_with(1000, 30));

  // Captured, then cancelled or captured again: refused.
  const auto captured_id = authorized_order(client, payer, payee, 100);
  order_action(client, captured_id, "capture", {{"amount", 60}});
  CHECK(funds_of(client, payer) == funds_with(940, 30));
  check_invalid_state(act(client, captured_id, "cancel"), "settled");
  check_invalid_state(client.remove(order_path(captured_id)), "settled");
  check_invalid_state(act(client, captured_id, "capture", {{"amount", 40}}), "settled");
  // Refunds up to what was captured, not what was authorized.
  CHECK_ERROR(act(client, captured_id, "refunds", {{"amount", 61}}), 422, "invalid_parameter", param("amount"));
  CHECK(funds_of(client, payer) == funds_with(940, 30));
  CHECK(funds_of(client, payee) == funds_with(60, 0));
  order_action(client, captured_id, "refunds", {{"amount", 60}});
  check_invalid_state(act(client, captured_id, "refunds", {{"amount", 1}}), "refunded");
  check_invalid_state(act(client, captured_id, "cancel"), "refunded");
  CHECK(funds_of(client, payer) == funds_with(1000, 30));
  CHECK(funds_of(client, payee) == funds_with(0, 0));
  CHECK(status_of(client, other_hold) == "authorized");
  check_audit_ok(server.admin());
}

// ---------------------------------------------------------------------------------------
// Expiry

TEST_CASE("an authorization expires after its ttl and releases the hold", "[orders][expiry][slow]") {
  auto& server = shared_server();
  auto& client = server.acme();
  const auto payer = funded_account(client, 1000);
  const auto payee = new_account(client);
  auto request = order_request(payer, payee, 400);
  request["authorization_ttl_s"] = 1;
  const auto created = create_order(client, request);
  const auto order_id = id_of(created);
  CHECK(is_null_field(created, "expires_at"));

  const auto before = system_clock::now();
  const auto confirm = act(client, order_id, "confirm");
  const auto after = system_clock::now();
  REQUIRE_STATUS(confirm, 200);
  const auto authorized = json_object(confirm);
  CHECK(string_field(authorized, "status") == "authorized");
  check_expires_at(authorized, before, after, 1);
  CHECK(funds_of(client, payer) == funds_with(1000, 400));
  const auto expires_at = instant_of(authorized, "expires_at");

  // The hold goes by itself, without anyone reading the order, within ~3 s of confirming.
  const auto released = wait_for_held(client, payer, 0, expires_at + 2s);
  REQUIRE(released.has_value());
  const auto released_after_ms = std::chrono::duration_cast<std::chrono::milliseconds>(*released - expires_at).count();
  INFO("the hold was seen released " << released_after_ms << " ms after expires_at");
  CHECK(released_after_ms >= -250);  // not (noticeably) early
  const auto expired = order_of(client, order_id);
  CHECK(string_field(expired, "status") == "expired");
  CHECK(expired.at("expires_at") == authorized.at("expires_at"));
  CHECK(integer_field(expired, "amount_captured") == 0);
  CHECK(funds_of(client, payer) == funds_with(1000, 0));

  // After expiry nothing may release or move the money again.
  check_invalid_state(act(client, order_id, "capture"), "expired");
  check_invalid_state(act(client, order_id, "capture", {{"amount", 1}}), "expired");
  check_invalid_state(act(client, order_id, "cancel"), "expired");
  check_invalid_state(client.remove(order_path(order_id)), "expired");
  check_invalid_state(act(client, order_id, "confirm"), "expired");
  check_invalid_state(act(client, order_id, "refunds"), "expired");
  CHECK(order_of(client, order_id) == expired);
  CHECK(funds_of(client, payer) == funds_with(1000, 0));
  CHECK(funds_of(client, payee) == funds_with(0, 0));
  CHECK(list_all(client, "/v1/transfers?account=" + payer).size() == 1);
  check_audit_ok(server.admin());
}

TEST_CASE("an authorization captured or cancelled before its ttl does not expire", "[orders][expiry][slow]") {
  auto& server = shared_server();
  auto& client = server.acme();
  const auto payer = funded_account(client, 1000);
  const auto payee = new_account(client);
  const auto captured_id = authorized_order(client, payer, payee, 100, 1);
  const auto cancelled_id = authorized_order(client, payer, payee, 200, 1);
  const auto kept_id = authorized_order(client, payer, payee, 300);  // default ttl: 600 s
  order_action(client, captured_id, "capture");
  order_action(client, cancelled_id, "cancel");
  CHECK(funds_of(client, payer) == funds_with(900, 300));
  std::this_thread::sleep_for(2500ms);
  CHECK(status_of(client, captured_id) == "settled");
  CHECK(status_of(client, cancelled_id) == "cancelled");
  CHECK(status_of(client, kept_id) == "authorized");
  // An expiry must not release the holds of other orders of the payer.
  CHECK(funds_of(client, payer) == funds_with(900, 300));
  CHECK(funds_of(client, payee) == funds_with(100, 0));
  order_action(client, kept_id, "cancel");
  check_audit_ok(server.admin());
}

TEST_CASE("a capture at the moment of expiry either settles or finds the order expired", "[orders][expiry][slow]") {
  auto& server = shared_server();
  auto& client = server.acme();
  constexpr std::int64_t amount = 100;
  const auto payer = funded_account(client, 10'000);
  const auto payee = new_account(client);
  // A hold that stays: a second release of any expiring hold would show in `held`.
  const auto lasting = authorized_order(client, payer, payee, 1000);
  const std::vector<std::chrono::milliseconds> offsets = {-30ms, -10ms, -3ms, 0ms, 3ms, 10ms, 30ms, 60ms};
  std::vector<std::pair<std::string, system_clock::time_point>> expiring;
  for (std::size_t index = 0; index < offsets.size(); ++index) {
    const auto order_id = authorized_order(client, payer, payee, amount, 1);
    expiring.emplace_back(order_id, instant_of(order_of(client, order_id), "expires_at"));
  }
  std::vector<http_response> answers;
  for (std::size_t index = 0; index < offsets.size(); ++index) {
    std::this_thread::sleep_until(expiring[index].second + offsets[index]);
    answers.push_back(act(client, expiring[index].first, "capture"));
  }
  const auto last_expiry = expiring.back().second;
  REQUIRE(wait_for_held(client, payer, 1000, last_expiry + 3s).has_value());

  std::int64_t captured = 0;
  for (std::size_t index = 0; index < offsets.size(); ++index) {
    INFO("capture " << offsets[index].count() << " ms from expires_at: " << answers[index].status << " "
                    << answers[index].body.substr(0, 200));
    const auto status = status_of(client, expiring[index].first);
    if (answers[index].status == 200) {
      ++captured;
      CHECK(status == "settled");
    } else {
      check_invalid_state(answers[index], "expired");
      CHECK(status == "expired");
    }
  }
  INFO(captured << " of " << offsets.size() << " captures came before the expiry");
  CHECK(funds_of(client, payer) == funds_with(10'000 - captured * amount, 1000));
  CHECK(funds_of(client, payee) == funds_with(captured * amount, 0));
  CHECK(status_of(client, lasting) == "authorized");
  order_action(client, lasting, "cancel");
  CHECK(funds_of(client, payer) == funds_with(10'000 - captured * amount, 0));
  check_audit_ok(server.admin());
}

// ---------------------------------------------------------------------------------------
// Races

TEST_CASE("200 confirmations racing for the money of 50 authorize exactly 50", "[orders][concurrency][slow]") {
  auto& server = shared_server();
  auto& client = server.acme();
  constexpr std::size_t orders = 200;
  constexpr std::size_t affordable = 50;
  constexpr std::size_t threads = 16;
  constexpr std::int64_t amount = 7;
  const auto payer = funded_account(client, amount * static_cast<std::int64_t>(affordable));
  const auto payee = new_account(client);
  std::vector<std::string> order_ids;
  for (std::size_t index = 0; index < orders; ++index) {
    order_ids.push_back(id_of(create_order(client, order_request(payer, payee, amount))));
  }
  std::vector<std::unique_ptr<api_client>> connections;
  for (std::size_t index = 0; index < threads; ++index) {
    connections.push_back(server.new_client(acme_key));
    REQUIRE_STATUS(connections.back()->get("/healthz"), 200);  // connected before the start
  }

  // A watcher reads the payer throughout: available must never be seen below zero.
  std::atomic<bool> racing{true};
  std::int64_t lowest_available = amount * static_cast<std::int64_t>(affordable);
  std::int64_t highest_held = 0;
  std::size_t observations = 0;
  std::string watcher_problem;
  std::thread watcher([&] {
    try {
      auto watching = server.new_client(acme_key);
      while (racing.load()) {
        const auto seen = funds_of(*watching, payer);
        lowest_available = std::min(lowest_available, seen.available);
        highest_held = std::max(highest_held, seen.held);
        ++observations;
      }
    } catch (const std::exception& error) {
      watcher_problem = error.what();
    }
  });

  std::vector<http_response> answers(orders);
  run_concurrently(threads, [&](std::size_t thread) {
    for (std::size_t index = thread; index < orders; index += threads) {
      answers[index] = act(*connections[thread], order_ids[index], "confirm");
    }
  });
  racing = false;
  watcher.join();

  std::size_t authorized = 0;
  std::size_t refused = 0;
  std::vector<std::string> other_answers;
  for (std::size_t index = 0; index < orders; ++index) {
    if (answers[index].status == 200 && string_field(json_object(answers[index]), "status") == "authorized") {
      ++authorized;
    } else if (answers[index].status == 402) {
      ++refused;
    } else {
      other_answers.push_back(std::to_string(answers[index].status) + " " + answers[index].body.substr(0, 300));
    }
  }
  CHECK(other_answers == std::vector<std::string>{});
  CHECK(authorized == affordable);
  CHECK(refused == orders - affordable);
  INFO(observations << " observations of the payer during the race");
  CHECK(watcher_problem == "");
  CHECK(lowest_available >= 0);
  CHECK(highest_held <= amount * static_cast<std::int64_t>(affordable));
  CHECK(funds_of(client, payer) == funds_with(amount * static_cast<std::int64_t>(affordable),
                                              amount * static_cast<std::int64_t>(affordable)));

  // The orders agree with the answers, and the list filter sees the same.
  const auto listed = list_all(client, "/v1/orders?account=" + payer + "&status=authorized");
  CHECK(listed.size() == affordable);
  // 150: two pages, the second one reached with starting_after.
  CHECK(list_all(client, "/v1/orders?account=" + payer + "&status=failed").size() == orders - affordable);
  for (std::size_t index = 0; index < orders; ++index) {
    if (answers[index].status == 402) {
      const auto failed = order_of(client, order_ids[index]);
      CHECK(string_field(failed, "status") == "failed");
      CHECK(failed.at("failure_code") == json::value("insufficient_funds"));
    }
  }
  for (const auto& order : listed) {
    order_action(client, id_of(order), "capture");
  }
  CHECK(funds_of(client, payer) == funds_with(0, 0));
  CHECK(funds_of(client, payee) == funds_with(amount * static_cast<std::int64_t>(affordable), 0));
  check_audit_ok(server.admin());
}

TEST_CASE("a capture racing a cancel of the same order: exactly one wins", "[orders][concurrency][slow]") {
  auto& server = shared_server();
  auto& client = server.acme();
  constexpr int rounds = 20;
  constexpr std::int64_t amount = 10;
  const auto payer = funded_account(client, 1000);
  const auto payee = new_account(client);
  auto capturing = server.new_client(acme_key);
  auto cancelling = server.new_client(acme_key);
  REQUIRE_STATUS(capturing->get("/healthz"), 200);
  REQUIRE_STATUS(cancelling->get("/healthz"), 200);

  std::int64_t captures = 0;
  for (int round = 0; round < rounds; ++round) {
    const auto order_id = authorized_order(client, payer, payee, amount);
    const bool by_delete = round % 2 == 1;
    http_response capture;
    http_response cancel;
    run_concurrently(2, [&](std::size_t index) {
      if (index == 0) {
        capture = act(*capturing, order_id, "capture");
      } else {
        cancel = by_delete ? cancelling->remove(order_path(order_id)) : act(*cancelling, order_id, "cancel");
      }
    });
    INFO("round " << round << (by_delete ? " (DELETE)" : " (POST cancel)") << ": capture " << capture.status
                  << ", cancel " << cancel.status);
    CHECK(((capture.status == 200) != (cancel.status == 200)));
    const auto status = status_of(client, order_id);
    if (capture.status == 200) {
      ++captures;
      check_invalid_state(cancel, "settled");
      CHECK(status == "settled");
    } else {
      check_invalid_state(capture, "cancelled");
      CHECK(status == "cancelled");
    }
  }
  INFO(captures << " of " << rounds << " captures won");
  CHECK(funds_of(client, payer) == funds_with(1000 - captures * amount, 0));
  CHECK(funds_of(client, payee) == funds_with(captures * amount, 0));
  const auto transfers = list_all(client, "/v1/transfers?account=" + payee);
  CHECK(static_cast<std::int64_t>(transfers.size()) == captures);
  check_audit_ok(server.admin());
}

// ---------------------------------------------------------------------------------------
// A crash

TEST_CASE("holds survive kill -9, can be captured after it, and still expire on time", "[orders][crash][slow]") {
  test_server server;
  auto& client = server.acme();
  const auto payer = funded_account(client, 10'000);
  const auto payee = new_account(client);
  const auto kept_id = authorized_order(client, payer, payee, 1000);
  const auto cancelled_id = authorized_order(client, payer, payee, 2000);
  const auto expiring_id = authorized_order(client, payer, payee, 300, 3);
  const auto kept = order_of(client, kept_id);
  const auto cancelled_before = order_of(client, cancelled_id);
  const auto expires_at = instant_of(order_of(client, expiring_id), "expires_at");
  REQUIRE(funds_of(client, payer) == funds_with(10'000, 3300));

  const auto killed = server.kill();
  CHECK(killed.signal == SIGKILL);
  server.start();

  const auto after_restart = funds_of(client, payer);
  const auto now = system_clock::now();
  INFO("restarted " << std::chrono::duration_cast<std::chrono::milliseconds>(expires_at - now).count()
                    << " ms before the short hold expires; payer " << after_restart);
  if (now < expires_at - 250ms) {
    CHECK(after_restart == funds_with(10'000, 3300));
  } else {
    CHECK((after_restart == funds_with(10'000, 3300) || after_restart == funds_with(10'000, 3000)));
  }
  CHECK(order_of(client, kept_id) == kept);
  CHECK(order_of(client, cancelled_id) == cancelled_before);

  // The short hold expires after the restart, on time.
  const auto released = wait_for_held(client, payer, 3000, expires_at + 5s);
  REQUIRE(released.has_value());
  const auto released_after_ms = std::chrono::duration_cast<std::chrono::milliseconds>(*released - expires_at).count();
  INFO("the short hold was seen released " << released_after_ms << " ms after its expires_at");
  CHECK(released_after_ms >= -250);
  CHECK(status_of(client, expiring_id) == "expired");
  check_invalid_state(act(client, expiring_id, "capture"), "expired");

  // The others are still usable.
  CHECK(string_field(order_action(client, kept_id, "capture"), "status") == "settled");
  CHECK(string_field(order_action(client, cancelled_id, "cancel"), "status") == "cancelled");
  CHECK(funds_of(client, payer) == funds_with(9000, 0));
  CHECK(funds_of(client, payee) == funds_with(1000, 0));
  check_audit_ok(server.admin());
}

// ---------------------------------------------------------------------------------------
// Validation, tenancy, updates, lists, idempotency

TEST_CASE("order creation names the field it refuses and creates nothing", "[orders][validation]") {
  auto& server = shared_server();
  auto& client = server.acme();
  const auto payer = funded_account(client, 1000);
  const auto payee = new_account(client);
  const auto euros = new_account(client, "EUR");
  const auto foreign = funded_account(server.globex(), 1000);
  const auto post = [&client](const json::object& body) { return client.post("/v1/orders", body); };
  const auto with = [&](const std::string& field, const json::value& value) {
    auto body = order_request(payer, payee, 100);
    body[field] = value;
    return post(body);
  };

  CHECK_ERROR(post(order_request("acc_doesnotexist", payee, 100)), 404, "not_found", param("payer_account"));
  CHECK_ERROR(post(order_request(payer, "acc_doesnotexist", 100)), 404, "not_found", param("payee_account"));
  CHECK_ERROR(post(order_request(foreign, payee, 100)), 404, "not_found", param("payer_account"));
  CHECK_ERROR(post(order_request(payer, payer, 100)), 422, "same_account", any_param);
  CHECK_ERROR(post(order_request(payer, euros, 100)), 422, "currency_mismatch", any_param);
  CHECK_ERROR(post(order_request(euros, payer, 100, "manual", "EUR")), 422, "currency_mismatch", any_param);
  CHECK_ERROR(post(order_request(payer, payee, 100, "manual", "EUR")), 422, "currency_mismatch", any_param);
  CHECK_ERROR(post(order_request(payer, payee, 100, "manual", "XYZ")), 422, "unsupported_currency", param("currency"));

  for (const json::value& amount : {json::value(0), json::value(-5), json::value(1.5), json::value("10"),
                                   json::value(nullptr), json::value(1'000'000'000'000'001)}) {
    INFO("amount " << json::serialize(amount));
    CHECK_ERROR(with("amount", amount), 422, "invalid_parameter", param("amount"));
  }
  for (const json::value& method : {json::value("later"), json::value("Manual"), json::value(""), json::value(1),
                                   json::value(nullptr)}) {
    INFO("capture_method " << json::serialize(method));
    CHECK_ERROR(with("capture_method", method), 422, "invalid_parameter", param("capture_method"));
  }
  for (const json::value& ttl : {json::value(0), json::value(-1), json::value(largest_ttl_s + 1), json::value(1.5),
                                json::value("60"), json::value(true), json::value(nullptr)}) {
    INFO("authorization_ttl_s " << json::serialize(ttl));
    CHECK_ERROR(with("authorization_ttl_s", ttl), 422, "invalid_parameter", param("authorization_ttl_s"));
  }
  CHECK_ERROR(with("description", 5), 422, "invalid_parameter", param("description"));
  CHECK_ERROR(with("description", json::string(1001, 'd')), 422, "invalid_parameter", param("description"));
  CHECK_ERROR(with("colour", "red"), 422, "unknown_parameter", param("colour"));
  for (const std::string field : {"payer_account", "payee_account", "amount", "currency"}) {
    INFO("without " << field);
    auto body = order_request(payer, payee, 100);
    body.erase(field);
    CHECK_ERROR(post(body), 422, "missing_parameter", param(field));
  }
  CHECK_ERROR(client.post_text("/v1/orders", "{\"amount\": "), 400, "malformed_json", no_param);

  CHECK(get_list(client, "/v1/orders?account=" + payer).data.empty());
  CHECK(funds_of(client, payer) == funds_with(1000, 0));

  // API.md marks the optional fields with "?": capture_method has none, so it is required.
  auto without_method = order_request(payer, payee, 100);
  without_method.erase("capture_method");
  CHECK_ERROR(post(without_method), 422, "missing_parameter", param("capture_method"));

  // The bounds of the ttl are accepted.
  CHECK_STATUS(with("authorization_ttl_s", 1), 201);
  CHECK_STATUS(with("authorization_ttl_s", largest_ttl_s), 201);
  CHECK_STATUS(with("description", json::string(1000, 'd')), 201);
}

TEST_CASE("an order may pay into another tenant's account", "[orders][tenancy][money]") {
  auto& server = shared_server();
  auto& acme = server.acme();
  auto& globex = server.globex();
  const auto customer = funded_account(acme, 1000);
  const auto merchant = new_account(globex);
  const auto created = create_order(acme, order_request(customer, merchant, 400));
  CHECK_FALSE(created.contains("balance"));
  const auto order_id = id_of(created);
  order_action(acme, order_id, "confirm");
  CHECK(funds_of(acme, customer) == funds_with(1000, 400));
  CHECK(string_field(order_action(acme, order_id, "capture"), "status") == "settled");
  CHECK(funds_of(acme, customer) == funds_with(600, 0));
  CHECK(funds_of(globex, merchant) == funds_with(400, 0));
  check_order_transfer(get_list(globex, "/v1/transfers?account=" + merchant).data.at(0), "capture", customer, merchant,
                       400, order_id);
  // The merchant's balance stays hidden from the customer's tenant.
  CHECK_ERROR(acme.get(account_path(merchant)), 404, "not_found", any_param);
  check_audit_ok(server.admin());
}

TEST_CASE("another tenant's orders answer 404 not_found", "[orders][tenancy]") {
  auto& server = shared_server();
  auto& acme = server.acme();
  auto& globex = server.globex();
  const auto payer = funded_account(acme, 1000);
  const auto payee = new_account(acme);
  const auto order_id = authorized_order(acme, payer, payee, 100);
  const auto order = order_of(acme, order_id);

  CHECK_ERROR(globex.get(order_path(order_id)), 404, "not_found", any_param);
  CHECK_ERROR(globex.put(order_path(order_id), json::object{{"description", "mine"}}), 404, "not_found", any_param);
  CHECK_ERROR(globex.remove(order_path(order_id)), 404, "not_found", any_param);
  for (const std::string action : {"confirm", "capture", "cancel", "refunds"}) {
    INFO(action);
    CHECK_ERROR(act(globex, order_id, action), 404, "not_found", any_param);
  }
  CHECK_ERROR(globex.get("/v1/orders?account=" + payer), 404, "not_found", any_param);
  for (const auto& listed : list_all(globex, "/v1/orders")) {
    CHECK(id_of(listed) != order_id);
  }
  CHECK(order_of(acme, order_id) == order);
  CHECK(funds_of(acme, payer) == funds_with(1000, 100));
  CHECK(get_object(server.admin(), order_path(order_id)) == order);
  order_action(acme, order_id, "cancel");
}

TEST_CASE("actions take an empty body or {} and refuse fields they do not define", "[orders][validation]") {
  auto& server = shared_server();
  auto& client = server.acme();
  const auto payer = funded_account(client, 1000);
  const auto payee = new_account(client);

  // An empty body, with and without Content-Type, is {}.
  const auto first = id_of(create_order(client, order_request(payer, payee, 100)));
  const auto confirmed = client.post_text(order_path(first) + "/confirm", "");
  CHECK_STATUS(confirmed, 200);
  const auto captured = client.send("POST", order_path(first) + "/capture", "", {});
  CHECK_STATUS(captured, 200);
  CHECK(integer_field(json_object(captured), "amount_captured") == 100);
  CHECK_STATUS(client.post_text(order_path(first) + "/refunds", ""), 200);
  CHECK(status_of(client, first) == "refunded");
  const auto second = id_of(create_order(client, order_request(payer, payee, 100)));
  CHECK_STATUS(client.post_text(order_path(second) + "/cancel", ""), 200);
  CHECK(status_of(client, second) == "cancelled");

  const auto order_id = id_of(create_order(client, order_request(payer, payee, 100)));
  const auto created = order_of(client, order_id);
  CHECK_ERROR(act(client, order_id, "confirm", {{"colour", "red"}}), 422, "unknown_parameter", param("colour"));
  CHECK_ERROR(act(client, order_id, "confirm", {{"amount", 100}}), 422, "unknown_parameter", param("amount"));
  CHECK_ERROR(client.post_text(order_path(order_id) + "/confirm", "[]"), 400, "malformed_json", no_param);
  CHECK_ERROR(client.post_text(order_path(order_id) + "/confirm", "{"), 400, "malformed_json", no_param);
  CHECK_ERROR(act(client, order_id, "cancel", {{"amount", 5}}), 422, "unknown_parameter", param("amount"));
  CHECK(order_of(client, order_id) == created);
  order_action(client, order_id, "confirm", {});
  const auto authorized = order_of(client, order_id);
  CHECK_ERROR(act(client, order_id, "capture", {{"amount", 50}, {"colour", "red"}}), 422, "unknown_parameter",
              param("colour"));
  CHECK(order_of(client, order_id) == authorized);
  order_action(client, order_id, "capture", {});
  CHECK_ERROR(act(client, order_id, "refunds", {{"reason", "x"}}), 422, "unknown_parameter", param("reason"));
  CHECK(integer_field(order_of(client, order_id), "amount_refunded") == 0);

  for (const std::string action : {"confirm", "capture", "cancel", "refunds"}) {
    INFO(action << " of an unknown order");
    CHECK_ERROR(act(client, "ord_doesnotexist", action), 404, "not_found", any_param);
  }
  CHECK_ERROR(client.remove(order_path("ord_doesnotexist")), 404, "not_found", any_param);
  CHECK_ERROR(client.put(order_path("ord_doesnotexist"), json::object{{"description", "x"}}), 404, "not_found",
              any_param);
  check_audit_ok(server.admin());
}

TEST_CASE("PUT changes only the description of an order", "[orders]") {
  auto& server = shared_server();
  auto& client = server.acme();
  const auto payer = funded_account(client, 1000);
  const auto payee = new_account(client);
  const auto order_id = authorized_order(client, payer, payee, 100);
  const auto before = order_of(client, order_id);

  const auto response = client.put(order_path(order_id), json::object{{"description", "Gift wrapped"}});
  REQUIRE_STATUS(response, 200);
  const auto updated = json_object(response);
  CHECK(keys_of(updated) == order_keys);
  CHECK(string_field(updated, "description") == "Gift wrapped");
  CHECK(order_of(client, order_id) == updated);
  auto unchanged = updated;
  unchanged["description"] = before.at("description");
  unchanged["updated_at"] = before.at("updated_at");
  CHECK(unchanged == before);
  CHECK(string_field(updated, "updated_at") >= string_field(before, "updated_at"));

  for (const std::string field : {"amount", "status", "payee_account", "capture_method", "authorization_ttl_s"}) {
    INFO("PUT with " << field);
    CHECK_ERROR(client.put(order_path(order_id), json::object{{"description", "x"}, {field, 1}}), 422,
                "unknown_parameter", param(field));
  }
  CHECK_ERROR(client.put(order_path(order_id), json::object{{"description", 7}}), 422, "invalid_parameter",
              param("description"));
  CHECK(order_of(client, order_id) == updated);

  // Any status: the description of a settled order can still be changed.
  order_action(client, order_id, "capture");
  CHECK(string_field(json_object(client.put(order_path(order_id), json::object{{"description", "Delivered"}})),
                     "description") == "Delivered");
  CHECK(status_of(client, order_id) == "settled");
  CHECK(funds_of(client, payer) == funds_with(900, 0));
  check_audit_ok(server.admin());
}

TEST_CASE("orders are listed newest first, by account and by status", "[orders][lists]") {
  auto& client = shared_server().acme();
  const auto payer = funded_account(client, 1000);
  const auto payee = new_account(client);
  const auto elsewhere = funded_account(client, 1000);
  std::vector<std::string> newest_first;
  const auto add = [&](const std::string& order_id) { newest_first.insert(newest_first.begin(), order_id); };
  const auto created_one = id_of(create_order(client, order_request(payer, payee, 10)));
  add(created_one);
  create_order(client, order_request(elsewhere, new_account(client), 10));  // touches neither
  const auto authorized_one = authorized_order(client, payer, payee, 20);
  add(authorized_one);
  const auto created_two = id_of(create_order(client, order_request(payer, payee, 30)));
  add(created_two);
  const auto cancelled_one = authorized_order(client, payer, payee, 40);
  order_action(client, cancelled_one, "cancel");
  add(cancelled_one);
  const auto authorized_two = authorized_order(client, payer, payee, 50);
  add(authorized_two);

  const auto all = get_list(client, "/v1/orders?account=" + payer);
  CHECK(ids_of(all.data) == newest_first);
  CHECK_FALSE(all.has_more);
  for (const auto& order : all.data) {
    CHECK(keys_of(order) == order_keys);
  }
  // The payee's side lists the same orders.
  CHECK(ids_of(get_list(client, "/v1/orders?account=" + payee).data) == newest_first);
  CHECK(ids_of(get_list(client, "/v1/orders?account=" + payer + "&status=authorized").data) ==
        std::vector<std::string>{authorized_two, authorized_one});
  CHECK(ids_of(get_list(client, "/v1/orders?account=" + payer + "&status=created").data) ==
        std::vector<std::string>{created_two, created_one});
  CHECK(ids_of(get_list(client, "/v1/orders?account=" + payer + "&status=cancelled").data) ==
        std::vector<std::string>{cancelled_one});
  CHECK(get_list(client, "/v1/orders?account=" + payer + "&status=refunded").data.empty());

  const auto page = get_list(client, "/v1/orders?account=" + payer + "&limit=2");
  CHECK(ids_of(page.data) == std::vector<std::string>(newest_first.begin(), newest_first.begin() + 2));
  CHECK(page.has_more);
  const auto rest = get_list(client, "/v1/orders?account=" + payer + "&limit=2&starting_after=" + newest_first[1]);
  CHECK(ids_of(rest.data) == std::vector<std::string>(newest_first.begin() + 2, newest_first.begin() + 4));
  CHECK(rest.has_more);
  const auto last = get_list(client, "/v1/orders?account=" + payer + "&limit=2&starting_after=" + newest_first[3]);
  CHECK(ids_of(last.data) == std::vector<std::string>{newest_first[4]});
  CHECK_FALSE(last.has_more);
  const auto filtered_page =
      get_list(client, "/v1/orders?account=" + payer + "&status=authorized&limit=1&starting_after=" + authorized_two);
  CHECK(ids_of(filtered_page.data) == std::vector<std::string>{authorized_one});
  // Without a filter, the tenant's orders: the newest is the last one made.
  CHECK(ids_of(get_list(client, "/v1/orders?limit=1").data) == std::vector<std::string>{authorized_two});

  CHECK_ERROR(client.get("/v1/orders?account=" + payer + "&status=paid"), 422, "invalid_parameter", param("status"));
  CHECK_ERROR(client.get("/v1/orders?account=" + payer + "&limit=0"), 422, "invalid_parameter", param("limit"));
  CHECK_ERROR(client.get("/v1/orders?account=" + payer + "&starting_after=ord_doesnotexist"), 422,
              "invalid_parameter", param("starting_after"));
  CHECK_ERROR(client.get("/v1/orders?account=" + payer + "&colour=red"), 422, "unknown_parameter", param("colour"));
  CHECK_ERROR(client.get("/v1/orders?account=acc_doesnotexist"), 404, "not_found", any_param);
  order_action(client, authorized_one, "cancel");
  order_action(client, authorized_two, "cancel");
}

TEST_CASE("order creation and confirmation are replayed for a repeated Idempotency-Key", "[orders][idempotency]") {
  auto& server = shared_server();
  auto& client = server.acme();
  const auto payer = funded_account(client, 1000);
  const auto payee = new_account(client);
  const auto request = order_request(payer, payee, 300);
  const auto create_key = "order-" + unique_email();

  const auto created = client.post("/v1/orders", request, with_key(create_key));
  REQUIRE_STATUS(created, 201);
  CHECK_FALSE(is_replay(created));
  const auto created_again = client.post("/v1/orders", request, with_key(create_key));
  CHECK(is_replay(created_again));
  CHECK(created_again.status == 201);
  CHECK(created_again.body == created.body);
  CHECK(list_all(client, "/v1/orders?account=" + payer).size() == 1);
  auto other_request = request;
  other_request["amount"] = 301;
  CHECK_ERROR(client.post("/v1/orders", other_request, with_key(create_key)), 422, "idempotency_key_reused",
              any_param);

  const auto order_id = id_of(json_object(created));
  const auto confirm_key = "confirm-" + unique_email();
  const auto confirm_target = order_path(order_id) + "/confirm";
  const auto confirmed = client.post(confirm_target, json::object{}, with_key(confirm_key));
  REQUIRE_STATUS(confirmed, 200);
  CHECK_FALSE(is_replay(confirmed));
  const auto confirmed_again = client.post(confirm_target, json::object{}, with_key(confirm_key));
  CHECK(is_replay(confirmed_again));
  CHECK(confirmed_again.status == 200);
  CHECK(confirmed_again.body == confirmed.body);
  CHECK(funds_of(client, payer) == funds_with(1000, 300));
  // Without the key a second confirmation is a new request, refused by the state machine.
  check_invalid_state(client.post(confirm_target, json::object{}), "authorized");

  // The replay is the first answer, whatever happened to the order since.
  order_action(client, order_id, "capture");
  const auto after_capture = client.post(confirm_target, json::object{}, with_key(confirm_key));
  CHECK(is_replay(after_capture));
  CHECK(after_capture.body == confirmed.body);
  CHECK(funds_of(client, payer) == funds_with(700, 0));

  // A refused confirmation (402) is stored and replayed too, even once the money is there.
  const auto poor = funded_account(client, 10);
  const auto poor_order = id_of(create_order(client, order_request(poor, payee, 100)));
  const auto refused_key = "refused-" + unique_email();
  const auto refused = client.post(order_path(poor_order) + "/confirm", json::object{}, with_key(refused_key));
  CHECK_ERROR(refused, 402, "insufficient_funds", any_param);
  deposit(client, poor, 1000);
  const auto refused_again = client.post(order_path(poor_order) + "/confirm", json::object{}, with_key(refused_key));
  CHECK(is_replay(refused_again));
  CHECK(refused_again.status == 402);
  CHECK(refused_again.body == refused.body);
  CHECK(status_of(client, poor_order) == "failed");
  CHECK(funds_of(client, poor) == funds_with(1010, 0));
  CHECK(string_field(order_action(client, poor_order, "confirm"), "status") == "authorized");
  order_action(client, poor_order, "cancel");
  check_audit_ok(server.admin());
}
