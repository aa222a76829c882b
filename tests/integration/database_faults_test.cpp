// Database faults under load: PostgreSQL restarted (fast and immediate shutdown), its
// connections cut (pg_terminate_backend), and paused (SIGSTOP) past the request timeout;
// the SQLite file's disk full. Through each the node must stay up, answer every request
// (503 while the database is away, the rest when it is back: none left without an answer),
// serve again by itself once the database is back, and leave the ledger exact: every 201
// stored, nothing answered otherwise stored, the audit clean.
#include "tests/integration/harness/private_postgres.hpp"
#include "tests/integration/harness/small_disk.hpp"
#include "tests/integration/harness/testing.hpp"
#include "tests/integration/harness/transfer_load.hpp"

#include <functional>
#include <thread>

using namespace settle::integration;

namespace {

constexpr std::int64_t initial_balance = 1'000'000;
constexpr std::size_t account_count = 8;
// Short, so that requests waiting for the database are answered 503 within the fault.
const std::vector<std::string> fault_arguments{"--http.request-timeout=2"};
// Settled answers that show the node serves again after a fault.
constexpr std::size_t settled_after_fault = 100;
constexpr auto recovery_limit = std::chrono::seconds{90};

struct fault {
  std::string name;
  std::function<void()> apply;
};

load_plan fault_plan(test_server& server, std::uint32_t seed) {
  auto plan = funded_load_plan(server.acme(), acme_key, account_count, initial_balance);
  plan.threads = 4;
  plan.transfers_per_thread = 0; // until stopped
  plan.max_amount = 50'000;
  plan.seed = seed;
  return plan;
}

// Runs a load through each fault in turn and checks what the header promises.
void check_through_faults(test_server& server, std::uint32_t seed, const std::vector<fault>& faults) {
  const auto plan = fault_plan(server, seed);
  transfer_load load(server.port(), plan);
  REQUIRE(load.wait_for_settled(settled_after_fault, recovery_limit));
  for (const auto& each : faults) {
    INFO("fault: " << each.name);
    each.apply();
    CHECK(server.process().running());
    CHECK(load.wait_for_settled(load.settled() + settled_after_fault, recovery_limit));
    CHECK(server.process().running());
  }
  load.stop();
  const auto outcome = load.finish();
  INFO(outcome.settled.size() << " settled, " << outcome.other_answers.size() << " other answers");
  CHECK(unexpected_answers(outcome, 503) == std::vector<std::string>{});
  CHECK(outcome.unanswered.empty());
  CHECK(verify_ledger_after_load(server.acme(), server.admin(), plan.accounts,
                                 initial_balance * static_cast<std::int64_t>(account_count), outcome)
        == std::vector<std::string>{});
  auto ready = server.anonymous().get("/readyz");
  CHECK_STATUS(ready, 200);
}

void pause_for(std::chrono::milliseconds duration) { std::this_thread::sleep_for(duration); }

} // namespace

TEST_CASE("PostgreSQL restarted, cut off and paused under load: the node answers, recovers and loses nothing",
          "[database_faults][slow]") {
  if (storage_kind_from_environment() != "postgresql") {
    return; // the PostgreSQL suite runs it, on a server of its own
  }
  private_postgres database;
  test_server server{fault_arguments, database.url()};
  using namespace std::chrono_literals;
  check_through_faults(server, 41,
                       {
                         {"restart, fast shutdown",
                          [&] {
                            database.stop("fast");
                            pause_for(3s);
                            database.start();
                          }},
                         {"restart, immediate shutdown",
                          [&] {
                            database.stop("immediate");
                            pause_for(3s);
                            database.start();
                          }},
                         {"every connection cut, five times",
                          [&] {
                            for (int round = 0; round < 5; ++round) {
                              database.terminate_connections();
                              pause_for(300ms);
                            }
                          }},
                         {"paused past the request timeout",
                          [&] {
                            database.pause();
                            pause_for(5s);
                            database.resume();
                          }},
                       });
}

TEST_CASE("the SQLite file's disk full under load: the node answers, recovers and loses nothing",
          "[database_faults][slow]") {
  if (storage_kind_from_environment() != "sqlite") {
    return; // the SQLite suite runs it
  }
  if (!small_disk::available()) {
    WARN("not run: mounting the small disk needs root");
    return;
  }
  small_disk disk{64};
  test_server server{fault_arguments, "sqlite:" + disk.path() + "/settle.db"};
  using namespace std::chrono_literals;
  check_through_faults(server, 43,
                       {
                         {"disk full for 3 s",
                          [&] {
                            disk.fill();
                            pause_for(3s);
                            disk.release();
                          }},
                       });
}
