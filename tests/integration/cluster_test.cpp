// A cluster of three real nodes on one PostgreSQL, with nginx in front: transfers and
// orders spread over every node and the front; kill -9 of a node under load (its shards
// served again within 15 s, nothing acknowledged lost, nothing doubled, the node rejoins);
// a node frozen past its lease that wakes up and must not commit for the shards it lost
// (fencing); SIGTERM of a node under load (handover, exit 0, no request failing beyond
// retried 503s). Clients behave as the contract asks: every request carries an
// Idempotency-Key and is retried with it on another node after a 503 or a lost connection.
// Hidden from a plain run ([.]): CTest's integration_cluster selects them with [cluster]
// and SETTLE_TEST_STORAGE=postgresql.
#include "tests/integration/harness/cluster_load.hpp"
#include "tests/integration/harness/cluster_view.hpp"
#include "tests/integration/harness/concurrency.hpp"
#include "tests/integration/harness/event_helpers.hpp"
#include "tests/integration/harness/ledger_helpers.hpp"
#include "tests/integration/harness/log_readers.hpp"
#include "tests/integration/harness/nginx_front.hpp"
#include "tests/integration/harness/test_cluster.hpp"
#include "tests/integration/harness/testing.hpp"
#include "tests/integration/harness/transfer_load.hpp"
#include "tests/integration/harness/websocket_client.hpp"

#include <algorithm>
#include <atomic>
#include <csignal>
#include <iostream>
#include <memory>
#include <optional>
#include <set>
#include <thread>

using namespace settle::integration;
namespace json = boost::json;
using namespace std::chrono_literals;
using std::chrono::steady_clock;

namespace {

constexpr std::size_t node_count = 3;
constexpr std::int64_t initial_balance = 1'000'000;
// Enough accounts that every node owns the shards of some of them.
constexpr std::size_t account_count = 12;
// The bound on a failover after kill -9; the design aims at about 7 s.
constexpr auto failover_limit = 15s;

double seconds_of(steady_clock::duration duration) {
  return std::chrono::duration<double>(duration).count();
}

// Load over every node and, when given, the front; `seed` keeps the descriptions apart.
cluster_load_plan cluster_plan(test_cluster& cluster, std::optional<std::uint16_t> front_port,
                               std::uint32_t seed) {
  cluster_load_plan plan;
  plan.base = funded_load_plan(cluster.acme(0), acme_key, account_count, initial_balance);
  plan.base.threads = 6;
  plan.base.max_amount = 50'000;
  plan.base.seed = seed;
  plan.ports = cluster.http_ports();
  if (front_port) {
    plan.ports.push_back(*front_port);
  }
  return plan;
}

std::int64_t total_deposits() {
  return initial_balance * static_cast<std::int64_t>(account_count);
}

// The ledger checks of any load, and the order checks, through one node.
std::vector<std::string> ledger_problems(test_cluster& cluster, std::size_t node,
                                         const cluster_load_plan& plan,
                                         const cluster_load_outcome& outcome) {
  auto& tenant = cluster.acme(node);
  auto problems = verify_ledger_after_load(tenant, cluster.admin(node), plan.base.accounts,
                                           total_deposits(), outcome.transfers);
  const auto orders =
      verify_orders_after_load(tenant, plan.base.accounts,
                               transfers_of_accounts(tenant, plan.base.accounts), outcome.orders);
  problems.insert(problems.end(), orders.begin(), orders.end());
  return problems;
}

std::size_t settled_orders(const cluster_load_outcome& outcome) {
  return static_cast<std::size_t>(
      std::count_if(outcome.orders.begin(), outcome.orders.end(), [](const auto& order) {
        return order.confirmation && order.confirmation->status == 200;
      }));
}

// The checks every load ends with: no request failed for good, no answer outside the
// contract, and no 503 without code and Retry-After.
void check_load_answers(const cluster_load_outcome& outcome) {
  INFO(outcome.retries.describe());
  CHECK(outcome.retries.given_up == std::vector<std::string>{});
  CHECK(unexpected_answers(outcome.transfers) == std::vector<std::string>{});
  CHECK(outcome.transfers.unanswered.empty());
  CHECK(outcome.retries.contract_violations == std::vector<std::string>{});
}

// Whether the stream delivers the transfer.settled event of `transfer_id` within 10 s.
bool delivers_transfer(websocket_client& stream, const std::string& transfer_id) {
  const auto deadline = steady_clock::now() + 10s;
  while (steady_clock::now() < deadline) {
    const auto message = stream.read(200ms);
    if (message.what == websocket_message::kind::closed) {
      return false;
    }
    if (message.what != websocket_message::kind::text) {
      continue;
    }
    const auto event = parse_json(message.text);
    if (event.is_object() && event.as_object().contains("event") &&
        event.at("event") == "transfer.settled" &&
        event.at("object").as_object().at("id") == json::value(transfer_id)) {
      return true;
    }
  }
  return false;
}

// A batch posted to one node whose accounts live on every node: each account is asked
// once for all its legs, wherever it lives. Nine accounts each pay the next one in a
// ring, and one pays an account that does not exist (a non-atomic batch); then an
// atomic batch where one pays more than it has settles nothing.
void check_batch_across_nodes(test_cluster& cluster) {
  constexpr std::size_t ring = 9;
  constexpr std::int64_t funds = 1000;
  std::vector<std::string> accounts;
  for (std::size_t index = 0; index < ring; ++index) {
    accounts.push_back(funded_account(cluster.acme(index % node_count), funds));
  }
  auto amount_of = [](std::size_t index) { return static_cast<std::int64_t>(index + 1) * 10; };
  json::array items;
  for (std::size_t index = 0; index < ring; ++index) {
    items.push_back(transfer_request(accounts[index], accounts[(index + 1) % ring], amount_of(index)));
  }
  items.push_back(transfer_request(accounts[2], "acc_doesnotexist", 1));
  auto answer = cluster.acme(1).post("/v1/transfers/batch", json::object{{"atomic", false}, {"transfers", items}});
  REQUIRE_STATUS(answer, 200);
  const auto results = json_object(answer).at("results").as_array();
  REQUIRE(results.size() == ring + 1);
  for (std::size_t index = 0; index < ring; ++index) {
    INFO("item " << index << ": " << json::serialize(results[index]));
    CHECK(results[index].as_object().at("status") == "settled");
  }
  CHECK(error_shape_mismatch(json::serialize(results[ring]), "not_found") == "");

  items.resize(2);
  items.push_back(transfer_request(accounts[3], accounts[4], funds * 2));
  answer = cluster.acme(2).post("/v1/transfers/batch", json::object{{"atomic", true}, {"transfers", items}});
  REQUIRE_STATUS(answer, 200);
  const auto aborted = json_object(answer).at("results").as_array();
  REQUIRE(aborted.size() == 3);
  CHECK(error_shape_mismatch(json::serialize(aborted[0]), "batch_aborted") == "");
  CHECK(error_shape_mismatch(json::serialize(aborted[2]), "insufficient_funds") == "");

  for (std::size_t index = 0; index < ring; ++index) {
    const auto expected = funds - amount_of(index) + amount_of((index + ring - 1) % ring);
    for (std::size_t node = 0; node < node_count; ++node) {
      INFO("account " << index << " read on node " << node);
      CHECK(balance_of(cluster.acme(node), accounts[index]) == expected);
    }
  }
  CHECK(audit(cluster.admin(0)).at("ok") == true);
}

// For each account, the time from `since` until a serving node first answers its GET with
// 200; none for an account still unserved after `limit`. One thread per account, so that
// a request waiting on a dead node delays only its own account.
std::vector<std::optional<steady_clock::duration>>
times_until_served(test_cluster& cluster, const std::vector<std::string>& accounts,
                   steady_clock::time_point since, std::chrono::seconds limit) {
  const auto serving = cluster.serving_nodes();
  std::vector<std::optional<steady_clock::duration>> times(accounts.size());
  run_concurrently(accounts.size(), [&](std::size_t index) {
    std::vector<std::unique_ptr<api_client>> clients;
    for (const auto node : serving) {
      clients.push_back(cluster.new_client(node, acme_key, 2s));
    }
    for (std::size_t attempt = 0; steady_clock::now() - since < limit; ++attempt) {
      try {
        if (clients[attempt % clients.size()]->get("/v1/accounts/" + accounts[index]).status ==
            200) {
          times[index] = steady_clock::now() - since;
          return;
        }
      } catch (const http_error&) {
      }
      std::this_thread::sleep_for(100ms);
    }
  });
  return times;
}

// The longest of the times, or none if one is missing.
std::optional<steady_clock::duration>
longest(const std::vector<std::optional<steady_clock::duration>>& times) {
  steady_clock::duration longest{};
  for (const auto& time : times) {
    if (!time) {
      return std::nullopt;
    }
    longest = std::max(longest, *time);
  }
  return longest;
}

// The shards `node` holds in `view`, with their epochs.
std::vector<shard_lease> leases_of(const cluster_view& view, const std::string& node) {
  const auto* member = view.member(node);
  return member ? member->leases : std::vector<shard_lease>{};
}

// Whether every one of `leases` is held in `view` by another node than `node`, at a higher
// epoch.
bool all_taken_over(const cluster_view& view, const std::string& node,
                    const std::vector<shard_lease>& leases) {
  return std::all_of(leases.begin(), leases.end(), [&](const shard_lease& lease) {
    return std::any_of(view.nodes.begin(), view.nodes.end(), [&](const cluster_member& member) {
      const auto epoch = member.epoch_of(lease.shard);
      return member.id != node && epoch && *epoch > lease.epoch;
    });
  });
}

// The old leases of `leases` that `node` still claims in `view`.
std::vector<int> still_claimed(const cluster_view& view, const std::string& node,
                               const std::vector<shard_lease>& leases) {
  std::vector<int> claimed;
  const auto* member = view.member(node);
  for (const auto& lease : leases) {
    if (member && member->epoch_of(lease.shard) == lease.epoch) {
      claimed.push_back(lease.shard);
    }
  }
  return claimed;
}

// Polls `node`'s GET /v1/cluster (with a short timeout) until `done` holds or `limit` passes.
template <typename Predicate>
std::optional<cluster_view> poll_view(test_cluster& cluster, std::size_t node,
                                      std::chrono::seconds limit, Predicate done) {
  const auto deadline = steady_clock::now() + limit;
  auto client = cluster.new_client(node, admin_key, 2s);
  while (steady_clock::now() < deadline) {
    try {
      auto view = get_cluster_view(*client);
      if (done(view)) {
        return view;
      }
    } catch (const std::exception&) {
    }
    std::this_thread::sleep_for(250ms);
  }
  return std::nullopt;
}

struct release_outcome {
  bool released = false;
  bool stopped_itself = false;
};

// Waits until `node`'s own view no longer claims any of `leases` at its old epoch. A node
// frozen past its lease may instead stop itself on waking (its database session was
// ended, so it cannot know whether its last commit landed, and a restart rebuilds its
// state from the database); it is then started again, as a supervisor would do.
release_outcome wait_until_released(test_cluster& cluster, std::size_t node,
                                    const std::vector<shard_lease>& leases,
                                    std::chrono::seconds limit) {
  release_outcome outcome;
  const auto deadline = steady_clock::now() + limit;
  while (steady_clock::now() < deadline) {
    if (!cluster.process(node).running()) {
      outcome.stopped_itself = true;
      cluster.restart(node);
    }
    outcome.released = poll_view(cluster, node, 1s, [&](const cluster_view& view) {
                         return still_claimed(view, cluster.node_id(node), leases).empty();
                       }).has_value();
    if (outcome.released) {
      break;
    }
  }
  return outcome;
}

// Adds the answers of clients that talked to one node without retrying.
void merge(load_outcome& into, const load_outcome& from) {
  into.settled.insert(into.settled.end(), from.settled.begin(), from.settled.end());
  into.refused_for_funds.insert(into.refused_for_funds.end(), from.refused_for_funds.begin(),
                                from.refused_for_funds.end());
  into.other_answers.insert(into.other_answers.end(), from.other_answers.begin(),
                            from.other_answers.end());
  into.unanswered.insert(into.unanswered.end(), from.unanswered.begin(), from.unanswered.end());
}

} // namespace

TEST_CASE(
    "three nodes share the shards and serve transfers and orders from every node and the front",
    "[.][cluster]") {
  test_cluster cluster(node_count);
  nginx_front front(cluster.http_ports());
  const auto ids = cluster.serving_node_ids();
  for (std::size_t node = 0; node < node_count; ++node) {
    CHECK_STATUS(cluster.new_client(node, "")->get("/readyz"), 200);
    CHECK_ERROR(cluster.acme(node).get("/v1/cluster"), 403, "forbidden", any_param);
  }

  auto plan = cluster_plan(cluster, front.port(), 101);
  plan.base.transfers_per_thread = 80;
  cluster_load load(plan);
  const auto outcome = load.finish();
  std::cout << "cluster load: " << outcome.transfers.settled.size() << " transfers and "
            << settled_orders(outcome) << " orders settled; " << outcome.retries.describe() << "\n";
  check_load_answers(outcome);
  CHECK(outcome.transfers.settled.size() > 100);
  CHECK(settled_orders(outcome) > 10);
  CHECK(ledger_problems(cluster, 0, plan, outcome) == std::vector<std::string>{});

  for (std::size_t node = 0; node < node_count; ++node) {
    const auto view = get_cluster_view(cluster.admin(node));
    INFO(view.describe());
    CHECK(view.node_id == cluster.node_id(node));
    CHECK(ownership_problems(view, ids) == std::vector<std::string>{});
  }
  api_client front_admin(front.port(), admin_key);
  CHECK(ownership_problems(get_cluster_view(front_admin), ids) == std::vector<std::string>{});

  {
    INFO("a batch on one node settles legs at accounts on every node");
    check_batch_across_nodes(cluster);
  }

  {
    INFO("an event is delivered on every node, whichever node committed it");
    const auto account_id = new_account(cluster.acme(0));
    std::vector<std::unique_ptr<websocket_client>> streams;
    for (auto port : cluster.http_ports()) {
      streams.push_back(subscribed_stream(port, acme_key, account_id));
    }
    streams.push_back(subscribed_stream(front.port(), acme_key, account_id));
    const auto transfer_id = string_field(deposit(cluster.acme(1), account_id, 500), "id");
    for (std::size_t index = 0; index < streams.size(); ++index) {
      INFO("stream " << index << " (the last one through nginx)");
      CHECK(delivers_transfer(*streams[index], transfer_id));
    }
  }
}

// Nodes commit their groups concurrently (no cluster-wide lock): the log still reads as
// one order. Readers on every node, by `after` and by WebSocket, each see exactly the
// final log while it grows, with no gap and no duplicate; each account's events and
// entries follow the order in which its balance changed, whichever node committed.
TEST_CASE("three nodes committing concurrently keep one event order: no gap, no duplicate, "
          "each account in order",
          "[.][cluster]") {
  test_cluster cluster(node_count);
  auto plan = cluster_plan(cluster, std::nullopt, 202);
  plan.base.transfers_per_thread = 120;
  const auto start = last_seq(cluster.acme(0));
  std::atomic<std::int64_t> final_seq{-1};
  std::vector<std::unique_ptr<websocket_client>> streams;
  for (auto port : cluster.http_ports()) {
    streams.push_back(subscribed_stream(port, acme_key, "*"));
  }
  std::vector<log_reading> readings(node_count * 2);
  std::vector<std::thread> readers;
  for (std::size_t node = 0; node < node_count; ++node) {
    readers.emplace_back([&, node] {
      readings[node] = follow_log(cluster.http_port(node), acme_key, start, final_seq, 120s);
    });
    readers.emplace_back([&, node] {
      readings[node_count + node] = read_stream(*streams[node], start, final_seq, 120s);
    });
  }

  cluster_load load(plan);
  const auto outcome = load.finish();
  check_load_answers(outcome);
  CHECK(ledger_problems(cluster, 0, plan, outcome) == std::vector<std::string>{});
  const auto log = events_after(cluster.acme(0), start);
  REQUIRE_FALSE(log.empty());
  final_seq = seq_of(log.back());
  for (auto& reader : readers) {
    reader.join();
  }
  std::vector<std::int64_t> final_seqs;
  for (const auto& event : log) {
    final_seqs.push_back(seq_of(event));
  }
  std::cout << "concurrent commits: " << outcome.transfers.settled.size() << " transfers, "
            << log.size() << " events, read on " << node_count << " nodes by `after` and by "
            << "WebSocket\n";
  for (std::size_t index = 0; index < readings.size(); ++index) {
    INFO((index < node_count ? "GET /v1/events on node " : "the stream of node ")
         << index % node_count << "; request failures: " << readings[index].failures.size());
    CHECK(readings[index].seqs == final_seqs);
  }
  for (const auto& account : plan.base.accounts) {
    CHECK(account_update_problems(cluster.acme(0), log, account) == std::vector<std::string>{});
  }
}

TEST_CASE("kill -9 of a node under load: its shards are served again within 15 s, nothing is lost "
          "or doubled, "
          "and it rejoins",
          "[.][cluster]") {
  test_cluster cluster(node_count);
  nginx_front front(cluster.http_ports());
  const auto plan = cluster_plan(cluster, front.port(), 202);
  cluster_load load(plan);
  REQUIRE(load.wait_for_completed(300, 60s));

  constexpr std::size_t victim = 1;
  const auto killed_at = steady_clock::now();
  const auto killed = cluster.kill(victim);
  const auto served =
      times_until_served(cluster, plan.base.accounts, killed_at, 2 * failover_limit);
  const auto completed_at_failover = load.completed();
  const bool continued = load.wait_for_completed(completed_at_failover + 300, 90s);
  load.stop();
  const auto outcome = load.finish();

  const auto failover = longest(served);
  const auto waited_over_a_second = std::count_if(
      served.begin(), served.end(), [](const auto& time) { return !time || *time > 1s; });
  std::cout << "failover after kill -9 of " << cluster.node_id(victim)
            << ": every account served again after "
            << (failover ? std::to_string(seconds_of(*failover)) + " s" : "more than 30 s") << " ("
            << waited_over_a_second << " of " << served.size()
            << " accounts waited over a second); load: " << outcome.retries.describe() << "\n";
  CHECK(killed.signal == SIGKILL);
  REQUIRE(failover);
  CHECK(*failover <= failover_limit);
  CHECK(continued);
  check_load_answers(outcome);
  cluster.wait_until_settled();
  CHECK(ledger_problems(cluster, 0, plan, outcome) == std::vector<std::string>{});

  cluster.restart(victim);
  const auto views = cluster.wait_until_settled();
  for (const auto& view : views) {
    INFO(view.describe());
    const auto* rejoined = view.member(cluster.node_id(victim));
    REQUIRE(rejoined);
    CHECK(rejoined->state == "up");
    CHECK(!rejoined->shards.empty());
  }
  const auto report = audit(cluster.admin(victim));
  INFO(json::serialize(report));
  CHECK(report.at("ok") == true);
}

TEST_CASE("a node frozen past its lease cannot commit for the shards it lost (fencing)",
          "[.][cluster]") {
  test_cluster cluster(node_count);
  constexpr std::size_t victim = 2;
  constexpr std::size_t observer = 0;
  constexpr auto frozen_for = 10s;
  auto plan = cluster_plan(cluster, std::nullopt, 303);
  plan.retries.attempt_timeout = 3s;
  const auto before = get_cluster_view(cluster.admin(observer));
  const auto old_leases = leases_of(before, cluster.node_id(victim));
  REQUIRE(!old_leases.empty());

  cluster_load load(plan);
  // Clients that talk to the victim alone and wait for it (30 s per request), so that
  // requests are in flight inside it when it freezes and answered when it wakes up.
  auto patient_plan = plan.base;
  patient_plan.threads = 3;
  patient_plan.transfers_per_thread = 60;
  patient_plan.seed = 304;
  transfer_load patient(cluster.http_port(victim), patient_plan);
  REQUIRE(patient.wait_for_answers(30, 60s));
  REQUIRE(load.wait_for_completed(100, 60s));

  const auto frozen_at = steady_clock::now();
  cluster.pause(victim);
  const auto taken_over = poll_view(cluster, observer, 30s, [&](const cluster_view& view) {
    return all_taken_over(view, cluster.node_id(victim), old_leases);
  });
  std::cout << "fencing: the frozen node's " << old_leases.size()
            << " shards were taken over after " << seconds_of(steady_clock::now() - frozen_at)
            << " s\n";
  std::this_thread::sleep_until(frozen_at + frozen_for);
  cluster.resume(victim);

  const auto patient_outcome = patient.finish();
  const auto release = wait_until_released(cluster, victim, old_leases, 30s);
  load.stop();
  auto outcome = load.finish();
  std::cout << "fencing: the patient clients of the frozen node got "
            << patient_outcome.settled.size() << " transfers settled, "
            << patient_outcome.other_answers.size() << " other answers, "
            << patient_outcome.unanswered.size() << " unanswered"
            << (release.stopped_itself
                    ? "; the node stopped itself on waking up and was started again"
                    : "")
            << "; load: " << outcome.retries.describe() << "\n";

  REQUIRE(taken_over);
  INFO("taken over: " << taken_over->describe());
  CHECK(release.released);
  check_load_answers(outcome);
  // Turned away (503) or answered: either is allowed of the node that woke up, as long as
  // what it answered 201 is stored and what it turned away is not.
  CHECK(unexpected_answers(patient_outcome, 503) == std::vector<std::string>{});
  merge(outcome.transfers, patient_outcome);
  cluster.wait_until_settled();
  CHECK(ledger_problems(cluster, observer, plan, outcome) == std::vector<std::string>{});
}

TEST_CASE("SIGTERM of a node under load hands its shards over, exits 0, and no request fails",
          "[.][cluster]") {
  test_cluster cluster(node_count);
  nginx_front front(cluster.http_ports());
  const auto plan = cluster_plan(cluster, front.port(), 404);
  cluster_load load(plan);
  REQUIRE(load.wait_for_completed(300, 60s));

  constexpr std::size_t victim = 1;
  const auto stopping_at = steady_clock::now();
  const auto stopped = cluster.stop(victim);
  const auto stop_took = steady_clock::now() - stopping_at;
  const bool continued = load.wait_for_completed(load.completed() + 300, 90s);
  load.stop();
  const auto outcome = load.finish();
  std::cout << "SIGTERM of " << cluster.node_id(victim) << ": " << stopped.describe() << " after "
            << seconds_of(stop_took) << " s; load: " << outcome.retries.describe() << "\n";

  INFO("settled " << stopped.describe());
  CHECK(stopped.clean());
  CHECK(continued);
  // Only 503s and refused connections were met, and each such request was retried to a
  // definitive answer: a draining node answers what it accepted.
  check_load_answers(outcome);
  CHECK(outcome.retries.lost_answers == 0);
  const auto views = cluster.wait_until_settled();
  CHECK(views.size() == node_count - 1);
  CHECK(ledger_problems(cluster, 0, plan, outcome) == std::vector<std::string>{});
}
