// Token buckets and work bounds; one mutex, held for a few arithmetic steps.
#include "net/admission.hpp"

#include <algorithm>
#include <cmath>

namespace settle::net {

admission::ticket::ticket(std::shared_ptr<admission> owner, std::string key, std::size_t weight)
  : owner_(std::move(owner)), key_(std::move(key)), weight_(weight) {}

admission::ticket::~ticket() {
  release();
}

void admission::ticket::release() {
  if (owner_) {
    owner_->give_back(key_, weight_);
    owner_.reset();
  }
}

namespace {

// A bucket holds as many tokens as a second brings, and at least one request.
double burst_of(const admission_limits& limits) {
  return std::max(1.0, limits.requests_per_second);
}

} // namespace

admission::admission(admission_limits limits, const std::vector<std::string>& keys)
  : limits_(limits) {
  for (const auto& key : keys) {
    keys_[key].tokens = burst_of(limits_); // a full bucket
  }
}

admission::outcome admission::take_token(const std::string& key, clock::time_point now) {
  if (limits_.requests_per_second <= 0) {
    return {};
  }
  std::lock_guard<std::mutex> guard{mutex_};
  auto found = keys_.find(key);
  if (found == keys_.end()) {
    return {verdict::rate_limited, std::chrono::seconds{1}, nullptr};
  }
  auto& state = found->second;
  const double burst = burst_of(limits_);
  if (state.refilled != clock::time_point{}) {
    std::chrono::duration<double> elapsed = now - state.refilled;
    state.tokens = std::min(burst, state.tokens + elapsed.count() * limits_.requests_per_second);
  }
  state.refilled = now;
  if (state.tokens >= 1) {
    state.tokens -= 1;
    return {};
  }
  // Whole seconds until a token is back, at least one.
  auto wait = std::ceil((1 - state.tokens) / limits_.requests_per_second);
  return {verdict::rate_limited, std::chrono::seconds{std::max<long>(1, static_cast<long>(wait))},
          nullptr};
}

admission::outcome admission::admit_work(const std::string& key, std::size_t weight) {
  weight = std::max<std::size_t>(weight, 1);
  std::lock_guard<std::mutex> guard{mutex_};
  auto found = keys_.find(key);
  if (found == keys_.end() || found->second.work + weight > limits_.work_per_key) {
    return {verdict::key_busy, std::chrono::seconds{1}, nullptr};
  }
  if (work_ + weight > limits_.work_in_flight) {
    return {verdict::node_busy, std::chrono::seconds{1}, nullptr};
  }
  found->second.work += weight;
  work_ += weight;
  return {verdict::admitted, std::chrono::seconds{0},
          std::make_shared<ticket>(shared_from_this(), found->first, weight)};
}

std::size_t admission::work_in_flight() const {
  std::lock_guard<std::mutex> guard{mutex_};
  return work_;
}

void admission::give_back(const std::string& key, std::size_t weight) {
  std::lock_guard<std::mutex> guard{mutex_};
  keys_[key].work -= weight;
  work_ -= weight;
}

} // namespace settle::net
