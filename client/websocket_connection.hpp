// One WebSocket connection to /v1/stream, on Beast, driven from the caller's thread:
// connect and upgrade, send a text message, read the next message with a deadline. A read
// that runs out of time stays pending, so "nothing arrived yet" loses no message.
#pragma once

#include "client/base_url.hpp"
#include "client/io_wait.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace settle::client {

// The server answered the upgrade with an HTTP status instead of 101.
class upgrade_refused : public std::runtime_error {
 public:
  upgrade_refused(unsigned status, std::string body, std::optional<std::string> retry_after);
  unsigned status;
  std::string body;
  std::optional<std::string> retry_after;
};

// No connection, or it broke while connecting or sending.
class websocket_failure : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct websocket_message {
  enum class kind { text, closed, timed_out };
  kind what = kind::timed_out;
  std::string text;
  // For `closed`: the close frame's code and reason; 0 when the connection ended without
  // one (a reset, an end of stream).
  std::uint16_t close_code = 0;
  std::string close_reason;
};

class websocket_connection {
 public:
  // Connects to the server's /v1/stream with `Authorization: Bearer <key>` on the
  // upgrade. Throws upgrade_refused or websocket_failure.
  websocket_connection(const base_url& server, const std::string& api_key,
                       deadline_clock::time_point deadline);
  ~websocket_connection();
  websocket_connection(const websocket_connection&) = delete;
  websocket_connection& operator=(const websocket_connection&) = delete;

  // Throws websocket_failure.
  void send_text(std::string_view text, deadline_clock::time_point deadline);
  websocket_message read(deadline_clock::time_point deadline);
  // A normal close, waiting at most until `deadline` for the server's answer.
  void close(deadline_clock::time_point deadline);

 private:
  struct state;
  std::unique_ptr<state> state_;
};

} // namespace settle::client
