// Many clients at once: 16 threads of random transfers among 10 accounts must leave a
// ledger in which nothing was lost, doubled or overdrawn; 16 withdrawals racing for the
// same money must not spend it twice.
#include "tests/integration/harness/concurrency.hpp"
#include "tests/integration/harness/testing.hpp"
#include "tests/integration/harness/transfer_load.hpp"

#include <memory>

using namespace settle::integration;

TEST_CASE("concurrent random transfers conserve money and never overdraw", "[concurrency][slow]") {
  // A server of its own, so that the audit speaks of this load alone.
  test_server server;
  constexpr std::int64_t initial_balance = 100'000;
  auto plan = funded_load_plan(server.acme(), acme_key, 10, initial_balance);
  plan.threads = 16;
  plan.transfers_per_thread = 100;
  // Large enough against the balances that some transfers must be refused for funds.
  plan.max_amount = 40'000;
  plan.seed = 7;

  transfer_load load(server.port(), plan);
  const auto outcome = load.finish();

  CHECK(unexpected_answers(outcome) == std::vector<std::string>{});
  CHECK(outcome.unanswered.empty());
  CHECK(outcome.settled.size() + outcome.refused_for_funds.size() == plan.threads * plan.transfers_per_thread);
  CHECK(outcome.settled.size() > 100);
  const auto problems = verify_ledger_after_load(server.acme(), server.admin(), plan.accounts,
                                                 initial_balance * 10, outcome);
  CHECK(problems == std::vector<std::string>{});
}

TEST_CASE("racing withdrawals cannot spend the same money twice", "[concurrency]") {
  auto& server = shared_server();
  const auto account_id = funded_account(server.acme(), 1000);
  constexpr std::size_t clients = 16;
  std::vector<std::unique_ptr<api_client>> connections;
  for (std::size_t index = 0; index < clients; ++index) {
    connections.push_back(server.new_client(acme_key));
    REQUIRE_STATUS(connections.back()->get("/healthz"), 200);  // connected before the start
  }
  std::vector<http_response> answers(clients);
  run_concurrently(clients, [&](std::size_t index) {
    answers[index] = connections[index]->post("/v1/accounts/" + account_id + "/withdrawals",
                                              boost::json::object{{"amount", 100}});
  });

  std::size_t paid = 0;
  for (const auto& answer : answers) {
    if (answer.status == 201) {
      ++paid;
    } else {
      CHECK_ERROR(answer, 402, "insufficient_funds", any_param);
    }
  }
  CHECK(paid == 10);
  const auto account = get_object(server.acme(), "/v1/accounts/" + account_id);
  CHECK(integer_field(account, "balance") == 0);
  CHECK(integer_field(account, "available") == 0);
}
