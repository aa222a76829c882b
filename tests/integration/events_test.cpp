// The event log, GET /v1/events: the shape of an event and of the list; validation of
// `after` and `limit`; every change writing its event with the object exactly as GET
// answers right after it (users, accounts, deposits, transfers, every order transition);
// ascending, duplicate-free seq and gap-free paging; tenant isolation; events kept across
// SIGTERM and kill -9 with new ones numbered higher; one transfer.settled per 201 under
// concurrent load, and account.updated following the account's ledger; readers following
// the log during a load read exactly the final log.
#include "tests/integration/harness/event_helpers.hpp"
#include "tests/integration/harness/log_readers.hpp"
#include "tests/integration/harness/testing.hpp"
#include "tests/integration/harness/transfer_load.hpp"

#include <algorithm>
#include <atomic>
#include <csignal>
#include <map>
#include <set>
#include <thread>
#include <utility>

using namespace settle::integration;
namespace json = boost::json;
using namespace std::chrono_literals;

namespace {

const auto event_keys = key_set({"type", "seq", "event", "object", "at"});
const std::set<std::string> event_names{
    "user.created",     "user.updated",    "user.deleted",     "account.created", "account.updated",
    "transfer.settled", "order.created",   "order.authorized", "order.settled",   "order.failed",
    "order.cancelled",  "order.expired",   "order.refunded"};


// What is wrong with a list of events: the shape of each, and seq strictly increasing.
std::vector<std::string> event_problems(const event_list& events) {
  std::vector<std::string> problems;
  std::int64_t previous = -1;
  for (const auto& event : events) {
    const auto text = json::serialize(event);
    if (keys_of(event) != event_keys || event.at("type") != "event" || !event.at("seq").is_int64() ||
        !event.at("event").is_string() || !event.at("object").is_object() || !event.at("at").is_string()) {
      problems.push_back("not an event: " + text);
      continue;
    }
    if (!event_names.count(name_of(event))) {
      problems.push_back("unknown event name: " + text);
    }
    if (!is_utc_timestamp_with_milliseconds(string_field(event, "at")) || !is_recent_timestamp(string_field(event, "at"))) {
      problems.push_back("`at` is not a recent RFC 3339 UTC timestamp with milliseconds: " + text);
    }
    if (seq_of(event) <= previous) {
      problems.push_back("seq " + std::to_string(seq_of(event)) + " follows seq " + std::to_string(previous));
    }
    if (seq_of(event) < 1) {
      problems.push_back("seq below 1: " + text);
    }
    previous = seq_of(event);
  }
  return problems;
}

// The object of the only event `name` about `id`; throws when there is not exactly one.
json::object only_event_object(const event_list& events, const std::string& name, const std::string& id) {
  const auto found = matching(events, name, id);
  if (found.size() != 1) {
    std::string listed;
    for (const auto& event : events) {
      listed += "\n  " + json::serialize(event);
    }
    throw std::runtime_error("expected one " + name + " of " + id + ", found " + std::to_string(found.size()) +
                             " among:" + listed);
  }
  return object_field(found.front(), "object");
}

// The object of the last account.updated of an account; throws when there is none.
json::object last_account_update(const event_list& events, const std::string& account_id) {
  const auto found = matching(events, "account.updated", account_id);
  if (found.empty()) {
    throw std::runtime_error("no account.updated of " + account_id);
  }
  return object_field(found.back(), "object");
}

// (event name, object id) of each event, sorted: what happened, whatever the order.
std::vector<std::pair<std::string, std::string>> happenings(const event_list& events) {
  std::vector<std::pair<std::string, std::string>> pairs;
  for (const auto& event : events) {
    pairs.emplace_back(name_of(event), object_id_of(event));
  }
  std::sort(pairs.begin(), pairs.end());
  return pairs;
}

bool mentions(const event_list& events, const std::string& id) {
  return std::any_of(events.begin(), events.end(), [&id](const json::object& event) {
    const auto& object = event.at("object").as_object();
    for (const auto& field : {"id", "from_account", "to_account", "payer_account", "payee_account"}) {
      if (object.contains(field) && object.at(field) == json::value(id)) {
        return true;
      }
    }
    return false;
  });
}

// The newest transfer of an account (captures and refunds have no answer of their own).
json::object newest_transfer(api_client& client, const std::string& account_id) {
  return get_list(client, "/v1/transfers?account=" + account_id + "&limit=1").data.at(0);
}

}  // namespace

TEST_CASE("GET /v1/events answers a list of events and validates its parameters", "[events]") {
  auto& server = shared_server();
  auto& client = server.acme();
  const auto after = last_seq(client);
  const auto user = create_user(client);

  const auto page = get_list(client, events_path(after, 100));
  CHECK(event_problems(page.data) == std::vector<std::string>{});
  CHECK_FALSE(page.has_more);
  REQUIRE(page.data.size() == 1);
  CHECK(name_of(page.data[0]) == "user.created");
  CHECK(object_field(page.data[0], "object") == user);
  CHECK(seq_of(page.data[0]) > after);
  // Nothing after the newest event.
  const auto beyond = get_list(client, events_path(seq_of(page.data[0]), 100));
  CHECK(beyond.data.empty());
  CHECK_FALSE(beyond.has_more);
  // `after` and `limit` may be left out.
  CHECK_STATUS(client.get("/v1/events"), 200);
  CHECK(get_list(client, "/v1/events?after=" + std::to_string(after)).data == page.data);

  CHECK_ERROR(server.anonymous().get("/v1/events"), 401, "unauthenticated", any_param);
  CHECK_ERROR(client.get("/v1/events?starting_after_seq=1"), 422, "unknown_parameter", any_param);
  CHECK_ERROR(client.get("/v1/events?after=0&color=red"), 422, "unknown_parameter", any_param);
  for (const auto* value : {"-1", "abc", "1.5", "", "1e3", "99999999999999999999999"}) {
    INFO("after=" << value);
    CHECK_ERROR(client.get(std::string("/v1/events?after=") + value), 422, "invalid_parameter", param("after"));
  }
  for (const auto* value : {"0", "101", "-5", "ten", "2.0", ""}) {
    INFO("limit=" << value);
    CHECK_ERROR(client.get(std::string("/v1/events?limit=") + value), 422, "invalid_parameter", param("limit"));
  }
  CHECK(get_list(client, events_path(after, 1)).data.size() == 1);
}

TEST_CASE("GET /v1/events pages by seq: 20 by default, ascending, no gap, no duplicate", "[events]") {
  auto& server = shared_server();
  auto& client = server.acme();
  const auto after = last_seq(client);
  const auto account_id = new_account(client);
  for (int count = 0; count < 12; ++count) {
    deposit(client, account_id, 10 + count);
  }
  create_user(client, "Grace Hopper");

  const auto everything = events_after(client, after, 100);
  CHECK(event_problems(everything) == std::vector<std::string>{});
  // user, account, then a transfer.settled and an account.updated per deposit, then a user.
  REQUIRE(everything.size() == 2 + 12 * 2 + 1);

  const auto first_page = get_list(client, "/v1/events?after=" + std::to_string(after));
  CHECK(first_page.data.size() == 20);
  CHECK(first_page.has_more);
  CHECK(first_page.data == event_list(everything.begin(), everything.begin() + 20));

  for (const int limit : {1, 2, 7, 26, 27}) {
    INFO("limit=" << limit);
    CHECK(events_after(client, after, limit) == everything);
  }
  const auto exact = get_list(client, events_path(after, 27));
  CHECK(exact.data == everything);
  CHECK_FALSE(exact.has_more);
  const auto one_short = get_list(client, events_path(after, 26));
  CHECK(one_short.has_more);

  // From the middle: exactly the rest, also when `after` is a seq this tenant does not see
  // (the world account's events fall between a tenant's).
  const auto middle = seq_of(everything[10]);
  CHECK(events_after(client, middle) == event_list(everything.begin() + 11, everything.end()));
  for (std::size_t index = 0; index + 1 < everything.size(); ++index) {
    if (seq_of(everything[index + 1]) - seq_of(everything[index]) > 1) {
      INFO("after=" << seq_of(everything[index]) + 1);
      CHECK(events_after(client, seq_of(everything[index]) + 1) ==
            event_list(everything.begin() + static_cast<std::ptrdiff_t>(index) + 1, everything.end()));
      break;
    }
  }
  // The deposits' events came in the order of the deposits, each with the balance after it.
  const auto updates = matching(everything, "account.updated", account_id);
  REQUIRE(updates.size() == 12);
  std::int64_t balance = 0;
  for (int count = 0; count < 12; ++count) {
    balance += 10 + count;
    CHECK(integer_field(object_field(updates[count], "object"), "balance") == balance);
  }
}

TEST_CASE("a deposit's events carry the transfer and the account as GET answers them", "[events]") {
  auto& server = shared_server();
  auto& client = server.acme();
  auto& admin = server.admin();
  const auto after = last_seq(client);
  const auto admin_after = last_seq(admin);
  const auto user = create_user(client);
  const auto account = create_account(client, id_of(user));
  const auto account_id = id_of(account);
  const auto transfer = deposit(client, account_id, 5000);
  const auto transfer_id = id_of(transfer);
  const auto transfer_now = get_object(client, "/v1/transfers/" + transfer_id);
  const auto account_now = get_object(client, account_path(account_id));
  const auto world_now = get_object(admin, "/v1/accounts/acc_world_USD");

  const auto events = events_after(client, after);
  CHECK(event_problems(events) == std::vector<std::string>{});
  CHECK(happenings(events) == std::vector<std::pair<std::string, std::string>>{{"account.created", account_id},
                                                                                {"account.updated", account_id},
                                                                                {"transfer.settled", transfer_id},
                                                                                {"user.created", id_of(user)}});
  CHECK(only_event_object(events, "user.created", id_of(user)) == user);
  CHECK(only_event_object(events, "account.created", account_id) == account);
  CHECK(only_event_object(events, "transfer.settled", transfer_id) == transfer_now);
  CHECK(transfer_now == transfer);
  CHECK(only_event_object(events, "account.updated", account_id) == account_now);
  CHECK(integer_field(account_now, "balance") == 5000);

  // An admin sees the same events, and the world account's side of the deposit as well.
  const auto admin_events = events_after(admin, admin_after);
  CHECK(event_problems(admin_events) == std::vector<std::string>{});
  for (const auto& event : events) {
    CHECK(std::count(admin_events.begin(), admin_events.end(), event) == 1);
  }
  CHECK(last_account_update(admin_events, "acc_world_USD") == world_now);
  CHECK(mentions(events, "acc_world_USD"));  // the transfer names it ...
  CHECK(matching(events, "account.updated", "acc_world_USD").empty());  // ... but its state is not the tenant's
}

TEST_CASE("user and account changes write events with the object after the change", "[events]") {
  auto& server = shared_server();
  auto& client = server.acme();
  auto after = last_seq(client);
  const auto user = create_user(client);
  const auto user_id = id_of(user);

  SECTION("user.updated and user.deleted") {
    const auto updated = client.put("/v1/users/" + user_id, json::object{{"name", "Ada King"}});
    REQUIRE_STATUS(updated, 200);
    const auto user_now = get_object(client, "/v1/users/" + user_id);
    auto events = events_after(client, after);
    CHECK(event_problems(events) == std::vector<std::string>{});
    CHECK(only_event_object(events, "user.created", user_id) == user);
    CHECK(only_event_object(events, "user.updated", user_id) == user_now);
    CHECK(string_field(user_now, "name") == "Ada King");

    after = seq_of(events.back());
    const auto removed = client.remove("/v1/users/" + user_id);
    REQUIRE_STATUS(removed, 200);
    events = events_after(client, after);
    CHECK(event_problems(events) == std::vector<std::string>{});
    // GET answers 404 now; the event carries what DELETE answered.
    CHECK(only_event_object(events, "user.deleted", user_id) == json_object(removed));
    CHECK(events.size() == 1);
  }

  SECTION("account.updated for a withdrawal and a close, none for a refused withdrawal") {
    const auto account_id = id_of(create_account(client, user_id));
    deposit(client, account_id, 300);
    after = last_seq(client);
    withdraw(client, account_id, 300);
    auto account_now = get_object(client, account_path(account_id));
    auto events = events_after(client, after);
    CHECK(last_account_update(events, account_id) == account_now);
    CHECK(integer_field(account_now, "balance") == 0);

    // A refused withdrawal changes nothing and writes nothing.
    after = seq_of(events.back());
    CHECK_ERROR(client.post(account_path(account_id) + "/withdrawals", json::object{{"amount", 1}}), 402,
                "insufficient_funds", any_param);
    CHECK(events_after(client, after).empty());

    const auto closed = client.remove(account_path(account_id));
    REQUIRE_STATUS(closed, 200);
    account_now = get_object(client, account_path(account_id));
    CHECK(string_field(account_now, "status") == "closed");
    events = events_after(client, after);
    CHECK(event_problems(events) == std::vector<std::string>{});
    CHECK(only_event_object(events, "account.updated", account_id) == account_now);
    CHECK(events.size() == 1);
  }
}

TEST_CASE("every order transition writes its event with the order as GET answers it", "[events]") {
  auto& server = shared_server();
  auto& client = server.acme();
  const auto payer = funded_account(client, 1000);
  const auto payee = new_account(client);

  // Runs `step`, then checks that its events hold exactly one `name` of the order, equal to
  // GET, and the last account.updated of each account equal to GET; returns the events.
  const auto check_step = [&](const std::string& name, const std::string& order_id, const auto& step) {
    const auto after = last_seq(client);
    step();
    const auto order_now = get_object(client, order_path(order_id));
    const auto events = events_after(client, after);
    INFO("step " << name << " of " << order_id);
    CHECK(event_problems(events) == std::vector<std::string>{});
    CHECK(only_event_object(events, name, order_id) == order_now);
    for (const auto& account_id : {payer, payee}) {
      if (!matching(events, "account.updated", account_id).empty()) {
        CHECK(last_account_update(events, account_id) == get_object(client, account_path(account_id)));
      }
    }
    return events;
  };

  SECTION("created, authorized, settled by capture, refunded") {
    std::string order_id;
    const auto after_create = last_seq(client);
    const auto created = create_order(client, order_request(payer, payee, 400));
    order_id = id_of(created);
    CHECK(only_event_object(events_after(client, after_create), "order.created", order_id) == created);

    auto events = check_step("order.authorized", order_id, [&] { order_action(client, order_id, "confirm"); });
    // The hold changed the payer's held and available.
    CHECK(integer_field(last_account_update(events, payer), "held") == 400);
    CHECK(matching(events, "account.updated", payee).empty());

    events = check_step("order.settled", order_id,
                        [&] { order_action(client, order_id, "capture", json::object{{"amount", 300}}); });
    const auto capture = newest_transfer(client, payer);
    CHECK(string_field(capture, "kind") == "capture");
    CHECK(only_event_object(events, "transfer.settled", id_of(capture)) == capture);
    CHECK(integer_field(last_account_update(events, payer), "held") == 0);
    CHECK(integer_field(last_account_update(events, payee), "balance") == 300);

    events = check_step("order.refunded", order_id,
                        [&] { order_action(client, order_id, "refunds", json::object{{"amount", 100}}); });
    const auto refund = newest_transfer(client, payer);
    CHECK(string_field(refund, "kind") == "refund");
    CHECK(only_event_object(events, "transfer.settled", id_of(refund)) == refund);
    CHECK(string_field(only_event_object(events, "order.refunded", order_id), "status") == "partially_refunded");
  }

  SECTION("settled at once, cancelled, failed") {
    const auto automatic = id_of(create_order(client, order_request(payer, payee, 50, "automatic")));
    const auto settled_events = check_step("order.settled", automatic, [&] { order_action(client, automatic, "confirm"); });
    CHECK(matching(settled_events, "order.authorized", automatic).empty());

    const auto manual = id_of(create_order(client, order_request(payer, payee, 70)));
    order_action(client, manual, "confirm");
    const auto cancelled_events = check_step("order.cancelled", manual, [&] { order_action(client, manual, "cancel"); });
    CHECK(integer_field(last_account_update(cancelled_events, payer), "held") == 0);

    const auto too_large = id_of(create_order(client, order_request(payer, payee, 1'000'000)));
    const auto failed_events = check_step("order.failed", too_large, [&] {
      CHECK_ERROR(client.post(order_path(too_large) + "/confirm", json::object{}), 402, "insufficient_funds",
                  any_param);
    });
    CHECK(matching(failed_events, "account.updated", payer).empty());
  }

  SECTION("expired after its ttl") {
    auto request = order_request(payer, payee, 90);
    request["authorization_ttl_s"] = 1;
    const auto order_id = id_of(create_order(client, request));
    order_action(client, order_id, "confirm");
    const auto after = last_seq(client);
    event_list expired;
    // Generous: under the sanitizers, beside another suite, the timer's second and the
    // release's commit took more than 6 s once; the loop ends as soon as the event is in.
    for (const auto deadline = std::chrono::steady_clock::now() + 30s;
         expired.empty() && std::chrono::steady_clock::now() < deadline;) {
      std::this_thread::sleep_for(100ms);
      expired = matching(events_after(client, after), "order.expired", order_id);
    }
    REQUIRE(expired.size() == 1);
    const auto events = events_after(client, after);
    CHECK(only_event_object(events, "order.expired", order_id) == get_object(client, order_path(order_id)));
    CHECK(last_account_update(events, payer) == get_object(client, account_path(payer)));
    CHECK(integer_field(last_account_update(events, payer), "held") == 0);
  }
}

TEST_CASE("a tenant sees only its own events; a transfer or an order between tenants is seen by both", "[events]") {
  auto& server = shared_server();
  auto& acme = server.acme();
  auto& globex = server.globex();
  auto& admin = server.admin();
  const auto acme_after = last_seq(acme);
  const auto globex_after = last_seq(globex);
  const auto admin_after = last_seq(admin);

  const auto globex_user = id_of(create_user(globex));
  const auto globex_account = id_of(create_account(globex, globex_user));
  deposit(globex, globex_account, 700);
  const auto acme_account = funded_account(acme, 900);
  // acme pays globex's account: it may name it as the receiving side.
  const auto response = post_transfer(acme, acme_account, globex_account, 250);
  REQUIRE_STATUS(response, 201);
  const auto transfer = json_object(response);
  const auto transfer_id = id_of(transfer);
  const auto globex_order = create_order(globex, order_request(globex_account, acme_account, 40));

  const auto acme_events = events_after(acme, acme_after);
  const auto globex_events = events_after(globex, globex_after);
  const auto admin_events = events_after(admin, admin_after);
  CHECK(event_problems(acme_events) == std::vector<std::string>{});
  CHECK(event_problems(globex_events) == std::vector<std::string>{});
  CHECK(event_problems(admin_events) == std::vector<std::string>{});

  // The cross-tenant transfer: one event with one seq, seen by both sides and by admin.
  const auto acme_settled = matching(acme_events, "transfer.settled", transfer_id);
  const auto globex_settled = matching(globex_events, "transfer.settled", transfer_id);
  REQUIRE(acme_settled.size() == 1);
  REQUIRE(globex_settled.size() == 1);
  CHECK(acme_settled == globex_settled);
  CHECK(object_field(acme_settled[0], "object") == get_object(acme, "/v1/transfers/" + transfer_id));
  CHECK(matching(admin_events, "transfer.settled", transfer_id) == acme_settled);

  // Account states go only to the account's tenant.
  CHECK(matching(acme_events, "account.updated", globex_account).empty());
  CHECK(matching(acme_events, "account.created", globex_account).empty());
  CHECK(matching(acme_events, "user.created", globex_user).empty());
  // An order paying acme's account is acme's to see (read only), events included.
  CHECK(only_event_object(acme_events, "order.created", id_of(globex_order)) ==
        get_object(acme, "/v1/orders/" + id_of(globex_order)));
  CHECK(matching(globex_events, "account.updated", acme_account).empty());
  CHECK(last_account_update(globex_events, globex_account) == get_object(globex, account_path(globex_account)));
  CHECK(last_account_update(acme_events, acme_account) == get_object(acme, account_path(acme_account)));
  CHECK(only_event_object(globex_events, "order.created", id_of(globex_order)) == globex_order);

  // Everything acme sees is about acme's own objects or the shared transfer.
  for (const auto& event : acme_events) {
    INFO(json::serialize(event));
    const auto object = object_field(event, "object");
    if (name_of(event) == "transfer.settled") {
      CHECK((string_field(object, "from_account") == acme_account || string_field(object, "to_account") == acme_account));
    } else if (name_of(event).rfind("order.", 0) == 0 && id_of(object) == id_of(globex_order)) {
      CHECK(string_field(object, "payee_account") == acme_account);
    } else {
      CHECK_FALSE(mentions(event_list{event}, globex_account));
      CHECK(id_of(object) != globex_user);
    }
  }
  // Each tenant's events are among admin's, with the same seq.
  for (const auto* events : {&acme_events, &globex_events}) {
    for (const auto& event : *events) {
      CHECK(std::count(admin_events.begin(), admin_events.end(), event) == 1);
    }
  }
  CHECK(last_account_update(admin_events, globex_account) == get_object(admin, account_path(globex_account)));
}

TEST_CASE("events survive a restart and new ones are numbered after them", "[events][restart]") {
  test_server server;
  auto& client = server.acme();
  const auto payer = funded_account(client, 1000);
  const auto payee = new_account(client);
  REQUIRE_STATUS(post_transfer(client, payer, payee, 100), 201);
  const auto order_id = id_of(create_order(client, order_request(payer, payee, 200)));
  order_action(client, order_id, "confirm");
  const auto tenant_before = events_after(client, 0);
  const auto admin_before = events_after(server.admin(), 0);
  REQUIRE(event_problems(admin_before) == std::vector<std::string>{});
  REQUIRE_FALSE(tenant_before.empty());

  SECTION("SIGTERM") {
    const auto status = server.stop();
    INFO("settled " << status.describe());
    CHECK(status.clean());
  }
  SECTION("kill -9") {
    const auto status = server.kill();
    CHECK(status.signal == SIGKILL);
  }

  server.start();
  CHECK(events_after(client, 0) == tenant_before);
  CHECK(events_after(server.admin(), 0) == admin_before);

  const auto transfer = deposit(client, payee, 33);
  const auto after_restart = events_after(client, seq_of(tenant_before.back()));
  CHECK(event_problems(after_restart) == std::vector<std::string>{});
  CHECK(only_event_object(after_restart, "transfer.settled", id_of(transfer)) == transfer);
  CHECK(last_account_update(after_restart, payee) == get_object(client, account_path(payee)));
  // Numbered after everything before the restart, admin's events included.
  const auto admin_after = events_after(server.admin(), 0);
  CHECK(event_problems(admin_after) == std::vector<std::string>{});
  REQUIRE(admin_after.size() > admin_before.size());
  CHECK(event_list(admin_after.begin(), admin_after.begin() + admin_before.size()) == admin_before);
  for (const auto& event : after_restart) {
    CHECK(seq_of(event) > seq_of(admin_before.back()));
  }
}

TEST_CASE("concurrent transfers write exactly one transfer.settled per 201", "[events][concurrency]") {
  auto& server = shared_server();
  auto& client = server.acme();
  auto plan = funded_load_plan(client, acme_key, 6, 50'000);
  plan.threads = 8;
  plan.transfers_per_thread = 40;
  plan.max_amount = 20'000;  // some are refused for funds
  plan.seed = 31;
  const auto after = last_seq(client);

  transfer_load load(server.port(), plan);
  const auto outcome = load.finish();
  REQUIRE(unexpected_answers(outcome) == std::vector<std::string>{});
  REQUIRE(outcome.unanswered.empty());
  REQUIRE(outcome.settled.size() > 50);

  const auto events = events_after(client, after);
  CHECK(event_problems(events) == std::vector<std::string>{});
  std::map<std::string, json::object> answered;
  for (const auto& transfer : outcome.settled) {
    answered.emplace(id_of(transfer), transfer);
  }
  std::map<std::string, int> settled_events;
  std::vector<std::string> unexpected;
  for (const auto& event : events) {
    if (name_of(event) == "transfer.settled") {
      const auto id = object_id_of(event);
      ++settled_events[id];
      const auto found = answered.find(id);
      if (found == answered.end()) {
        unexpected.push_back("transfer.settled of a transfer not answered 201: " + json::serialize(event));
      } else if (object_field(event, "object") != found->second) {
        unexpected.push_back("transfer.settled differs from the 201 answer: " + json::serialize(event));
      }
    } else if (name_of(event) != "account.updated") {
      unexpected.push_back("an event the load did not cause: " + json::serialize(event));
    }
  }
  CHECK(unexpected == std::vector<std::string>{});
  std::vector<std::string> not_once;
  for (const auto& [id, transfer] : answered) {
    if (settled_events[id] != 1) {
      not_once.push_back(id + " has " + std::to_string(settled_events[id]) + " transfer.settled events");
    }
  }
  CHECK(not_once == std::vector<std::string>{});
  CHECK(settled_events.size() == answered.size());

  // Per account: the last account.updated is the account now, and the balances the
  // updates carry follow the ledger: each is the balance after one of the account's
  // entries, in the entries' order, at most one update per transfer.
  for (const auto& account_id : plan.accounts) {
    INFO("account " << account_id);
    const auto updates = matching(events, "account.updated", account_id);
    std::size_t touching = 0;
    for (const auto& transfer : outcome.settled) {
      touching += string_field(transfer, "from_account") == account_id || string_field(transfer, "to_account") == account_id;
    }
    if (touching == 0) {
      CHECK(updates.empty());
      continue;
    }
    CHECK(updates.size() <= touching);
    CHECK(account_update_problems(client, events, account_id) == std::vector<std::string>{});
  }
}

// With two commit lanes (PostgreSQL; SQLite has one) a node pipelines its commits: one
// group's statements run while the previous group commits, on a second connection.
// Readers that follow the log while transfers commit, by `after` and by WebSocket, each
// read exactly the final log: no gap, no duplicate, in order; and each account's updates
// follow its entries.
TEST_CASE("readers following the log while transfers commit on two lanes each read exactly "
          "the final log",
          "[events][concurrency]") {
  test_server server({"--storage.commit-lanes=2"});
  auto& client = server.acme();
  auto plan = funded_load_plan(client, acme_key, 8, 1'000'000);
  plan.threads = 8;
  plan.transfers_per_thread = 60;
  plan.max_amount = 20'000;
  plan.seed = 37;
  const auto start = last_seq(client);
  std::atomic<std::int64_t> final_seq{-1};
  auto stream = subscribed_stream(server.port(), acme_key, "*");
  log_reading by_after;
  log_reading by_stream;
  std::thread after_reader(
      [&] { by_after = follow_log(server.port(), acme_key, start, final_seq, 120s); });
  std::thread stream_reader([&] { by_stream = read_stream(*stream, start, final_seq, 120s); });

  transfer_load load(server.port(), plan);
  const auto outcome = load.finish();
  const auto log = events_after(client, start);
  final_seq = log.empty() ? start : seq_of(log.back());
  after_reader.join();
  stream_reader.join();
  REQUIRE(unexpected_answers(outcome) == std::vector<std::string>{});
  REQUIRE(outcome.settled.size() > 100);
  std::vector<std::int64_t> final_seqs;
  for (const auto& event : log) {
    final_seqs.push_back(seq_of(event));
  }
  {
    INFO("GET /v1/events by after; request failures: " << by_after.failures.size());
    CHECK(by_after.seqs == final_seqs);
  }
  {
    INFO("the WebSocket stream; failures: " << by_stream.failures.size());
    CHECK(by_stream.seqs == final_seqs);
  }
  for (const auto& account_id : plan.accounts) {
    INFO("account " << account_id);
    CHECK(account_update_problems(client, log, account_id) == std::vector<std::string>{});
  }
}
