// Durability: a restart keeps every object, balance and the order of lists; and under
// load, stopped in the middle of concurrent transfers by kill -9 or SIGTERM and restarted
// on the same storage, everything answered 201 must be there, nothing else may be there
// but requests left unanswered, and the ledger must add up.
#include "tests/integration/harness/stop_each_way.hpp"
#include "tests/integration/harness/testing.hpp"
#include "tests/integration/harness/transfer_load.hpp"

#include <csignal>

using namespace settle::integration;

namespace {

constexpr std::int64_t initial_balance = 1'000'000;
constexpr std::size_t account_count = 8;
// Answers seen before the stop: enough for the stop to land in the middle of real traffic.
constexpr std::size_t answers_before_stop = 1000;

load_plan crash_plan(test_server& server, std::uint32_t seed) {
  auto plan = funded_load_plan(server.acme(), acme_key, account_count, initial_balance);
  plan.threads = 8;
  plan.transfers_per_thread = 0;  // until the server goes away
  plan.max_amount = 50'000;
  plan.seed = seed;
  return plan;
}

std::vector<std::string> ledger_problems(test_server& server, const load_plan& plan, const load_outcome& outcome) {
  return verify_ledger_after_load(server.acme(), server.admin(), plan.accounts,
                                  initial_balance * static_cast<std::int64_t>(account_count), outcome);
}

}  // namespace

TEST_CASE("transfers answered before a kill -9 survive it", "[crash][slow]") {
  test_server server;
  const auto plan = crash_plan(server, 11);
  transfer_load load(server.port(), plan);
  const bool enough = load.wait_for_answers(answers_before_stop, std::chrono::seconds(20));
  const auto killed = server.kill();
  const auto outcome = load.finish();
  REQUIRE(enough);
  INFO("settled " << killed.describe() << "; " << outcome.settled.size() << " settled, "
                  << outcome.unanswered.size() << " unanswered");
  CHECK(killed.signal == SIGKILL);
  CHECK(unexpected_answers(outcome) == std::vector<std::string>{});
  CHECK(outcome.unanswered.size() <= plan.threads);

  server.start();
  // A request in flight at the kill may or may not have been committed; all else is known.
  CHECK(ledger_problems(server, plan, outcome) == std::vector<std::string>{});
}

TEST_CASE("SIGTERM under load drains and exits 0 and loses nothing", "[crash][slow]") {
  test_server server;
  const auto plan = crash_plan(server, 23);
  transfer_load load(server.port(), plan);
  const bool enough = load.wait_for_answers(answers_before_stop, std::chrono::seconds(20));
  const auto stopped = server.stop();
  auto outcome = load.finish();
  REQUIRE(enough);
  INFO("settled " << stopped.describe() << "; " << outcome.settled.size() << " settled, "
                  << outcome.unanswered.size() << " unanswered");
  CHECK(stopped.clean());
  // While draining, a server may turn new requests away as unavailable.
  CHECK(unexpected_answers(outcome, 503) == std::vector<std::string>{});

  server.start();
  // Draining means answering what was accepted: a request left unanswered, or answered
  // 503, must not have been stored.
  outcome.unanswered.clear();
  CHECK(ledger_problems(server, plan, outcome) == std::vector<std::string>{});
}

TEST_CASE("a restart keeps objects and balances and the newest-first order", "[restart][slow]") {
  test_server server;
  auto& client = server.acme();
  const auto account_id = funded_account(client, 900);
  withdraw(client, account_id, 200);
  const auto users_before = get_list(client, "/v1/users").data;
  const auto account_before = get_object(client, "/v1/accounts/" + account_id);
  const auto entries_before = get_list(client, "/v1/accounts/" + account_id + "/entries").data;

  stop_each_way(server);

  server.start();
  CHECK(get_list(client, "/v1/users").data == users_before);
  CHECK(get_object(client, "/v1/accounts/" + account_id) == account_before);
  CHECK(get_list(client, "/v1/accounts/" + account_id + "/entries").data == entries_before);
  // What is made after the restart is newer than everything made before it.
  const auto newest_user = string_field(create_user(client), "id");
  const auto newest_deposit = string_field(deposit(client, account_id, 1), "id");
  CHECK(ids_of(get_list(client, "/v1/users?limit=2").data) ==
        std::vector<std::string>{newest_user, string_field(users_before.front(), "id")});
  CHECK(string_field(get_list(client, "/v1/transfers?account=" + account_id + "&limit=1").data.at(0), "id") ==
        newest_deposit);
  CHECK(balance_of(client, account_id) == 701);
}
