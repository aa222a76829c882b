// A TCP proxy between a client under test and a real settled, with the faults the
// client must survive: an answer lost after the server applied the request, canned answers
// in the server's place (503 with Retry-After), every connection cut at once, and the
// server moving to another port (a restart). It records every byte clients send, so a
// test can count the Idempotency-Key headers of the attempts.
//
// Bytes are forwarded as they come, without parsing HTTP or WebSocket: the faults act on
// the first chunk of an answer or request, which is how they arrive on loopback.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

namespace settle::client_tests {

class fault_proxy {
 public:
  // Listens on a free loopback port and forwards to 127.0.0.1:target_port.
  explicit fault_proxy(std::uint16_t target_port);
  ~fault_proxy();
  fault_proxy(const fault_proxy&) = delete;
  fault_proxy& operator=(const fault_proxy&) = delete;

  std::uint16_t port() const;
  std::string base_url() const;

  // New connections go to this port from now on.
  void retarget(std::uint16_t target_port);
  // The server's next answer is never delivered: at its first byte the proxy closes both
  // sides of that connection. The server has answered, so it applied the request.
  void drop_next_answer();
  // The next `count` requests are not forwarded: each is answered with `raw_response`
  // (a whole HTTP response, which should say Connection: close), then its connection closed.
  void answer_next_requests_with(int count, std::string raw_response);
  // Closes every open connection, both sides, and waits until that is done.
  void cut_connections();

  // Everything clients have sent through the proxy so far.
  std::string client_bytes() const;
  // How often `needle` occurs in client_bytes().
  int count_in_client_bytes(const std::string& needle) const;

 private:
  struct state;
  std::shared_ptr<state> state_;
};

} // namespace settle::client_tests
