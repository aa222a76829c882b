// A merchant's server for the webhook tests: HTTP on 127.0.0.1, a thread per
// connection. It records every request it gets, checks its Settle-Signature with the
// endpoint's secret on its own (OpenSSL's HMAC, not the server's code), and answers with
// the status its script gives for the n-th request, or never.
#pragma once

#include <boost/json/object.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace settle::integration {

struct received_webhook {
  std::int64_t header_seq = 0; // Settle-Event-Seq
  boost::json::object body;    // {"type", "seq", "event", "object", "at"}
  std::string event;
  std::int64_t seq = 0;        // the body's
  bool signature_valid = false;
  std::string target;
  std::chrono::steady_clock::time_point at;
};

// The status to answer the n-th request (from 0) with; 0: hold the connection, never
// answer.
using webhook_script = std::function<unsigned(std::size_t request_number)>;

class webhook_receiver {
 public:
  explicit webhook_receiver(webhook_script script = [](std::size_t) { return 200u; });
  ~webhook_receiver();
  webhook_receiver(const webhook_receiver&) = delete;
  webhook_receiver& operator=(const webhook_receiver&) = delete;

  std::string url(const std::string& path = "/hooks") const;
  // The endpoint's secret (shown once, at its creation), to check signatures with.
  void set_secret(std::string secret);

  std::vector<received_webhook> received() const;
  // Waits until `done(received())` holds or `timeout` passes; returns what was received.
  std::vector<received_webhook>
  wait_for(const std::function<bool(const std::vector<received_webhook>&)>& done,
           std::chrono::seconds timeout = std::chrono::seconds(30)) const;
  std::size_t connections_accepted() const { return accepted_.load(); }

 private:
  void accept_loop();
  void serve(int socket);
  void record(const std::string& target, const std::string& body, const std::string& seq,
              const std::string& signature);

  int listener_ = -1;
  std::uint16_t port_ = 0;
  webhook_script script_;
  std::atomic<bool> stopping_{false};
  std::atomic<std::size_t> accepted_{0};
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  std::string secret_;
  std::vector<received_webhook> received_;
  std::size_t requests_ = 0;
  std::vector<int> connections_;
  std::vector<std::thread> threads_;
  std::thread acceptor_;
};

// True when `header` ("t=<unix seconds>,v1=<hex>") is HMAC-SHA256 with `secret` over
// "<t>.<body>" and t is within five minutes of now.
bool valid_webhook_signature(const std::string& header, const std::string& secret,
                             const std::string& body);

}  // namespace settle::integration
