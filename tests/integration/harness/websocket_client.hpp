// A small WebSocket client for the integration tests, on Boost.Beast. To the test it is
// synchronous: connect (the upgrade), send a text message, and read the next message with a
// timeout. Underneath, one thread runs Beast's asynchronous operations, so that control
// frames (ping, pong, close) are handled while the test waits, and so that a read that
// times out leaves the connection usable: "nothing arrived within a second" is a result.
//
// Received messages are queued as they arrive. pause_reading() stops taking bytes from the
// socket (until the next read()): how a test plays a consumer that does not keep up.
#pragma once

#include "tests/integration/harness/http_client.hpp"

#include <boost/json.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

namespace settle::integration {

struct websocket_options {
  std::string target = "/v1/stream";
  // Added to the upgrade request, e.g. Authorization.
  header_list headers;
  // Bounds the connect, the upgrade and each send.
  std::chrono::milliseconds timeout = std::chrono::seconds(10);
  // SO_RCVBUF set before connecting (0: the system's default, which grows on demand). A
  // small buffer makes a consumer that does not read fall behind quickly.
  int receive_buffer_bytes = 0;
};

// The server answered the upgrade request with something other than 101.
class websocket_upgrade_refused : public std::runtime_error {
 public:
  websocket_upgrade_refused(unsigned status, std::string body);
  unsigned status;
  std::string body;
};

// No connection, a failed send, or an unexpected message in read_json().
class websocket_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct websocket_message {
  enum class kind { text, closed, timed_out };
  kind what = kind::timed_out;
  std::string text;
  // For `closed`: the code and reason of the server's close frame; code 0 when the
  // connection ended without one, with `error` saying how.
  std::uint16_t close_code = 0;
  std::string close_reason;
  std::string error;

  // For messages in test reports: the text, "closed 1008 (reason)" or "timed out".
  std::string describe() const;
};

class websocket_client {
 public:
  // Connects to 127.0.0.1:port and upgrades; throws websocket_upgrade_refused or
  // websocket_error.
  websocket_client(std::uint16_t port, websocket_options options = {});
  // A client with `Authorization: Bearer <key>` on the upgrade request.
  websocket_client(std::uint16_t port, const std::string& key);
  ~websocket_client();
  websocket_client(const websocket_client&) = delete;
  websocket_client& operator=(const websocket_client&) = delete;

  void send_text(std::string_view text);
  void send_json(const boost::json::value& message);

  // The next message, the end of the connection, or timed_out after `wait`. Once the
  // connection has ended every read answers `closed` with the same code.
  websocket_message read(std::chrono::milliseconds wait);
  // The next message as a JSON object; throws websocket_error when the connection ends,
  // nothing arrives within `wait`, or the message is not a JSON object.
  boost::json::object read_json(std::chrono::milliseconds wait);
  // Skips messages until the connection ends; the end, or timed_out after `wait` in all.
  // `skipped` counts the text messages passed over.
  websocket_message read_until_closed(std::chrono::milliseconds wait, std::size_t* skipped = nullptr);

  // Messages received and not yet read.
  std::size_t queued() const;
  // Reads nothing more from the socket after the message being received now, until the
  // next read(); the server's sends then back up in the socket buffers.
  void pause_reading();

  // A normal close (1000) from this side; waits up to the timeout for the server's answer.
  void close();

 private:
  struct state;
  std::shared_ptr<state> state_;
};

}  // namespace settle::integration
