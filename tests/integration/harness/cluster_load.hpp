// Load on a cluster as well-behaved clients make it: random transfers and orders (create,
// then confirm with automatic capture) from many threads, spread over every node and a
// front, each request carrying an Idempotency-Key and retried on another node when it meets
// a handover or a dead node. Afterwards the ledger is checked as after any load
// (transfer_load.hpp), and the orders too: each acknowledged order exists in the state its
// answers said, and was captured exactly once if it settled.
#pragma once

#include "tests/integration/harness/retrying_client.hpp"
#include "tests/integration/harness/transfer_load.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace settle::integration {

struct cluster_load_plan {
  // Accounts, key, threads, amounts and seed; transfers_per_thread counts every request
  // (0: until stop()).
  load_plan base;
  // The nodes' ports and the front's: request k of thread t goes first to
  // ports[(t + k) % size], and its retries to the ports after it.
  std::vector<std::uint16_t> ports;
  // Every n-th request of a thread is an order instead of a transfer; 0: no orders.
  std::size_t order_every = 4;
  retry_policy retries;
};

struct order_attempt {
  // The payer as from_account, the payee as to_account; the description names the order.
  sent_transfer sent;
  // The definitive answers; none when the client gave up (or, for the confirmation, when
  // the order was not created).
  std::optional<http_response> creation;
  std::optional<http_response> confirmation;
};

// How much retrying the load needed, over all its requests.
struct retry_totals {
  std::size_t requests = 0;
  std::size_t retried_requests = 0;
  std::size_t unavailable_answers = 0;
  std::size_t refused_connections = 0;
  std::size_t lost_answers = 0;
  std::size_t keys_in_use = 0;
  // The longest time one request took, retries included: what a client saw of a failover.
  std::chrono::steady_clock::duration longest_request{};
  // Requests the client gave up on, and 503s that broke the contract, described.
  std::vector<std::string> given_up;
  std::vector<std::string> contract_violations;
  // The first few retried requests and what made them retry, for the report.
  std::vector<std::string> retried_examples;

  void add(const retried_answer& answer, const std::string& description);
  std::string describe() const;
};

struct cluster_load_outcome {
  // Transfers given up on are `unanswered`: they may or may not have committed.
  load_outcome transfers;
  std::vector<order_attempt> orders;
  retry_totals retries;
};

class cluster_load {
public:
  // Starts the threads at once.
  explicit cluster_load(cluster_load_plan plan);
  // Stops the threads after their current request if finish() was not called.
  ~cluster_load();
  cluster_load(const cluster_load&) = delete;
  cluster_load& operator=(const cluster_load&) = delete;

  // Requests that reached a definitive answer or were given up on, so far.
  std::size_t completed() const { return completed_.load(); }
  // Waits until `count` requests completed or `limit` passed; false on the latter.
  bool wait_for_completed(std::size_t count, std::chrono::milliseconds limit) const;
  // Lets each thread finish the request it is retrying, then stop.
  void stop() { stopping_ = true; }
  // Waits for every thread to end and gathers what they saw.
  cluster_load_outcome finish();

private:
  void run_thread(std::size_t index);
  void send_transfer(retrying_client& client, std::size_t first, const sent_transfer& sent);
  void place_order(retrying_client& client, std::size_t first, const sent_transfer& sent);

  cluster_load_plan plan_;
  std::atomic<std::size_t> completed_{0};
  std::atomic<bool> stopping_{false};
  std::mutex mutex_;
  cluster_load_outcome outcome_;
  std::vector<std::thread> threads_;
};

// The problems with the orders of a load (empty: none), given every transfer of its
// accounts: each order answered 201 exists, in the state its confirmation answered; no
// order was created twice; each settled order has exactly one capture, of its amount,
// and no other order has any; no answer was other than the contract allows.
std::vector<std::string> verify_orders_after_load(api_client& tenant,
                                                  const std::vector<std::string>& accounts,
                                                  const transfer_map& stored,
                                                  const std::vector<order_attempt>& orders);

} // namespace settle::integration
