// Metrics storage and rendering.
#include "domain/metrics.hpp"

#include <cmath>
#include <cstdio>

namespace settle {
namespace {

std::vector<double> latency_bounds() {
  return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

std::string format_number(double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.6g", value);
  return buffer;
}

// Escapes a label value: backslash, quote and newline.
std::string escape_label(const std::string& value) {
  std::string escaped;
  for (char c : value) {
    if (c == '\\' || c == '"') {
      escaped.push_back('\\');
      escaped.push_back(c);
    } else if (c == '\n') {
      escaped += "\\n";
    } else {
      escaped.push_back(c);
    }
  }
  return escaped;
}

template <class Value>
Value& find_or_create(std::mutex& mutex, std::map<std::string, std::unique_ptr<Value>>& map,
                      const std::string& key, std::unique_ptr<Value> (*make)()) {
  std::lock_guard<std::mutex> guard{mutex};
  auto& slot = map[key];
  if (!slot) {
    slot = make();
  }
  return *slot;
}

} // namespace

histogram::histogram(std::vector<double> upper_bounds)
  : upper_bounds_(std::move(upper_bounds)),
    buckets_(new std::atomic<std::uint64_t>[upper_bounds_.size() + 1]) {
  for (std::size_t i = 0; i <= upper_bounds_.size(); ++i) {
    buckets_[i] = 0;
  }
}

void histogram::observe(double value) noexcept {
  std::size_t bucket = 0;
  while (bucket < upper_bounds_.size() && value > upper_bounds_[bucket]) {
    ++bucket;
  }
  buckets_[bucket].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_micro_.fetch_add(static_cast<std::int64_t>(std::llround(value * 1e6)),
                       std::memory_order_relaxed);
}

void histogram::render(std::string& out, const std::string& name,
                       const std::string& labels) const {
  std::string prefix = labels.empty() ? "" : labels + ",";
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i <= upper_bounds_.size(); ++i) {
    cumulative += buckets_[i].load(std::memory_order_relaxed);
    std::string bound = i < upper_bounds_.size() ? format_number(upper_bounds_[i]) : "+Inf";
    out += name + "_bucket{" + prefix + "le=\"" + bound + "\"} " + std::to_string(cumulative) + "\n";
  }
  std::string braces = labels.empty() ? "" : "{" + labels + "}";
  out += name + "_sum" + braces + " "
         + format_number(static_cast<double>(sum_micro_.load(std::memory_order_relaxed)) / 1e6)
         + "\n";
  out += name + "_count" + braces + " " + std::to_string(count_.load(std::memory_order_relaxed))
         + "\n";
}

metrics_registry::metrics_registry()
  : commit_batch_size_({1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000}),
    commit_duration_(latency_bounds()),
    idempotency_lookup_keys_({1, 2, 5, 10, 20, 50, 100, 256}) {
}

metrics_registry& metrics_registry::instance() {
  static metrics_registry registry;
  return registry;
}

void metrics_registry::count_http_request(const std::string& route, const std::string& method,
                                          unsigned status, double seconds) {
  std::string key = "route=\"" + escape_label(route) + "\",method=\"" + escape_label(method)
                    + "\",status=\"" + std::to_string(status) + "\"";
  find_or_create<std::atomic<std::uint64_t>>(mutex_, http_requests_, key, [] {
    return std::make_unique<std::atomic<std::uint64_t>>(0);
  }).fetch_add(1, std::memory_order_relaxed);
  find_or_create<histogram>(mutex_, http_durations_, "route=\"" + escape_label(route) + "\"", [] {
    return std::make_unique<histogram>(latency_bounds());
  }).observe(seconds);
}

void metrics_registry::count_transfers_settled(std::uint64_t transfers) noexcept {
  transfers_settled_.fetch_add(transfers, std::memory_order_relaxed);
}

void metrics_registry::observe_commit(std::size_t batch_size, double seconds) noexcept {
  commit_batch_size_.observe(static_cast<double>(batch_size));
  commit_duration_.observe(seconds);
}

void metrics_registry::count_commit_balances(commit_balances source) noexcept {
  commit_balances_[static_cast<int>(source)].fetch_add(1, std::memory_order_relaxed);
}

void metrics_registry::observe_idempotency_lookup(std::size_t keys) noexcept {
  idempotency_lookup_keys_.observe(static_cast<double>(keys));
}

void metrics_registry::add_actors(const std::string& kind, std::int64_t delta) {
  find_or_create<std::atomic<std::int64_t>>(mutex_, actors_, kind, [] {
    return std::make_unique<std::atomic<std::int64_t>>(0);
  }).fetch_add(delta, std::memory_order_relaxed);
}

void metrics_registry::set_websocket_clients(std::int64_t clients) noexcept {
  websocket_clients_.store(clients, std::memory_order_relaxed);
}

void metrics_registry::count_webhook_delivery(const std::string& result) {
  find_or_create<std::atomic<std::uint64_t>>(mutex_, webhook_deliveries_, result, [] {
    return std::make_unique<std::atomic<std::uint64_t>>(0);
  }).fetch_add(1, std::memory_order_relaxed);
}

void metrics_registry::set_webhook_lag(const std::string& endpoint, double seconds) {
  std::lock_guard<std::mutex> guard{mutex_};
  webhook_lag_seconds_[endpoint] = seconds;
}

void metrics_registry::forget_webhook_lag(const std::string& endpoint) {
  std::lock_guard<std::mutex> guard{mutex_};
  webhook_lag_seconds_.erase(endpoint);
}

std::string metrics_registry::render() const {
  std::string out;
  std::lock_guard<std::mutex> guard{mutex_};
  out += "# HELP settle_http_requests_total HTTP requests answered.\n"
         "# TYPE settle_http_requests_total counter\n";
  for (const auto& [labels, count] : http_requests_) {
    out += "settle_http_requests_total{" + labels + "} " + std::to_string(count->load()) + "\n";
  }
  out += "# HELP settle_http_request_duration_seconds Time from request to answer.\n"
         "# TYPE settle_http_request_duration_seconds histogram\n";
  for (const auto& [labels, durations] : http_durations_) {
    durations->render(out, "settle_http_request_duration_seconds", labels);
  }
  out += "# HELP settle_transfers_settled_total Transfers committed.\n"
         "# TYPE settle_transfers_settled_total counter\n"
         "settle_transfers_settled_total " + std::to_string(transfers_settled_.load()) + "\n";
  out += "# HELP settle_commit_batch_size Write sets per group commit.\n"
         "# TYPE settle_commit_batch_size histogram\n";
  commit_batch_size_.render(out, "settle_commit_batch_size", "");
  out += "# HELP settle_commit_duration_seconds Time of one group commit.\n"
         "# TYPE settle_commit_duration_seconds histogram\n";
  commit_duration_.render(out, "settle_commit_duration_seconds", "");
  out += "# HELP settle_commit_balances_total Group commits by where their balances came from:"
         " known (one round trip), asked (the database's answer), moved (known but refused).\n"
         "# TYPE settle_commit_balances_total counter\n";
  const char* const sources[] = {"known", "asked", "moved"};
  for (int source = 0; source < 3; ++source) {
    out += std::string{"settle_commit_balances_total{source=\""} + sources[source] + "\"} "
           + std::to_string(commit_balances_[source].load()) + "\n";
  }
  out += "# HELP settle_idempotency_lookup_keys Idempotency-Keys per database lookup.\n"
         "# TYPE settle_idempotency_lookup_keys histogram\n";
  idempotency_lookup_keys_.render(out, "settle_idempotency_lookup_keys", "");
  out += "# HELP settle_actors Entity actors alive, by kind.\n# TYPE settle_actors gauge\n";
  for (const auto& [kind, count] : actors_) {
    out += "settle_actors{kind=\"" + escape_label(kind) + "\"} " + std::to_string(count->load())
           + "\n";
  }
  out += "# HELP settle_websocket_clients WebSocket clients connected.\n"
         "# TYPE settle_websocket_clients gauge\n"
         "settle_websocket_clients " + std::to_string(websocket_clients_.load()) + "\n";
  out += "# HELP settle_webhook_deliveries_total Webhook attempts by result.\n"
         "# TYPE settle_webhook_deliveries_total counter\n";
  for (const auto& [result, count] : webhook_deliveries_) {
    out += "settle_webhook_deliveries_total{result=\"" + escape_label(result) + "\"} "
           + std::to_string(count->load()) + "\n";
  }
  out += "# HELP settle_webhook_delivery_lag_seconds How far an endpoint's deliveries are"
         " behind the event log.\n"
         "# TYPE settle_webhook_delivery_lag_seconds gauge\n";
  for (const auto& [endpoint, seconds] : webhook_lag_seconds_) {
    out += "settle_webhook_delivery_lag_seconds{endpoint=\"" + escape_label(endpoint) + "\"} "
           + std::to_string(seconds) + "\n";
  }
  return out;
}

} // namespace settle
