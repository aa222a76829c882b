// Admission at the ingress, before any work is queued for the actors. Each API key gets a
// token bucket of requests (N per second, bursts of N; off when N is 0), and the work in
// flight is bounded per key and per node, in units of one transfer: a batch weighs its
// items. What is admitted holds a ticket, whose end gives its units back; so a request's
// place is returned once, whichever way it ends. Shared by the Asio threads.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace settle::net {

struct admission_limits {
  double requests_per_second = 0;     // per key; 0: no rate limit
  std::size_t work_in_flight = 65536; // per node
  std::size_t work_per_key = 32768;
};

class admission : public std::enable_shared_from_this<admission> {
public:
  using clock = std::chrono::steady_clock;

  enum class verdict { admitted, rate_limited, key_busy, node_busy };

  // Gives its units back when it ends (or on release(), once).
  class ticket {
  public:
    ticket(std::shared_ptr<admission> owner, std::string key, std::size_t weight);
    ~ticket();
    ticket(const ticket&) = delete;
    ticket& operator=(const ticket&) = delete;
    void release();

  private:
    std::shared_ptr<admission> owner_;
    std::string key_;
    std::size_t weight_;
  };

  struct outcome {
    verdict answer = verdict::admitted;
    std::chrono::seconds retry_after{0};
    std::shared_ptr<ticket> admitted; // set when admitted
  };

  // `keys`: every API key that can authenticate; others are never admitted. Make it
  // with std::make_shared: tickets hold on to it.
  admission(admission_limits limits, const std::vector<std::string>& keys);

  // Takes one token of the key's bucket: a request (or a stream's authentication).
  outcome take_token(const std::string& key, clock::time_point now = clock::now());

  // Admits `weight` units of work for the key, within the key's and the node's bounds.
  outcome admit_work(const std::string& key, std::size_t weight);

  std::size_t work_in_flight() const;

private:
  struct key_state {
    double tokens = 0;
    clock::time_point refilled{};
    std::size_t work = 0;
  };

  void give_back(const std::string& key, std::size_t weight);

  admission_limits limits_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, key_state> keys_; // fixed at start: bounded by the keys file
  std::size_t work_ = 0;
};

} // namespace settle::net
