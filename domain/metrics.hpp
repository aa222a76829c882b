// Process-wide metrics in Prometheus' text format: counters, gauges and histograms.
// Counts are atomics; a mutex guards the maps of labelled series and is held only to
// find or create a series. Plain C++ so that every layer can report without depending
// on the ingress.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace settle {

class histogram {
public:
  explicit histogram(std::vector<double> upper_bounds);
  void observe(double value) noexcept;
  // Appends `name_bucket{labels,le=...}`, `name_sum{labels}` and `name_count{labels}`.
  void render(std::string& out, const std::string& name, const std::string& labels) const;

private:
  std::vector<double> upper_bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> buckets_; // one more: +Inf
  std::atomic<std::uint64_t> count_{0};
  std::atomic<std::int64_t> sum_micro_{0}; // the sum, in millionths
};

// Where a group commit's balances came from (see persistence/known_accounts.hpp).
enum class commit_balances {
  known, // the writer's own commits: the group went in one round trip
  asked, // the database's answer to the netted update
  moved, // known, but refused: an account had changed behind the writer (then asked)
};

class metrics_registry {
public:
  static metrics_registry& instance();

  void count_http_request(const std::string& route, const std::string& method, unsigned status,
                          double seconds);
  void count_transfers_settled(std::uint64_t transfers) noexcept;
  void observe_commit(std::size_t batch_size, double seconds) noexcept;
  void count_commit_balances(commit_balances source) noexcept;
  // One database lookup of Idempotency-Keys, for `keys` claims (see idempotency_guard).
  void observe_idempotency_lookup(std::size_t keys) noexcept;
  void add_actors(const std::string& kind, std::int64_t delta);
  void set_websocket_clients(std::int64_t clients) noexcept;
  // A webhook attempt's result: succeeded, retrying (it failed and waits to be tried
  // again) or failed (given up on).
  void count_webhook_delivery(const std::string& result);
  // How far an endpoint's deliveries are behind the log; forgotten when its actor stops.
  void set_webhook_lag(const std::string& endpoint, double seconds);
  void forget_webhook_lag(const std::string& endpoint);

  std::string render() const;

private:
  metrics_registry();

  mutable std::mutex mutex_; // guards the maps' structure, not the counts
  std::map<std::string, std::unique_ptr<std::atomic<std::uint64_t>>> http_requests_;
  std::map<std::string, std::unique_ptr<histogram>> http_durations_;
  std::map<std::string, std::unique_ptr<std::atomic<std::int64_t>>> actors_;
  std::atomic<std::uint64_t> transfers_settled_{0};
  histogram commit_batch_size_;
  histogram commit_duration_;
  std::atomic<std::uint64_t> commit_balances_[3] = {}; // by commit_balances
  histogram idempotency_lookup_keys_;
  std::atomic<std::int64_t> websocket_clients_{0};
  std::map<std::string, std::unique_ptr<std::atomic<std::uint64_t>>> webhook_deliveries_;
  std::map<std::string, double> webhook_lag_seconds_; // under mutex_
};

} // namespace settle
