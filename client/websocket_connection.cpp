// Beast allows one read and one write in flight at once; the read started by read() may
// stay pending across calls (and across a send_text), and completes into buffer_.
#include "client/websocket_connection.hpp"

#include "client/tcp_connect.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/websocket/stream.hpp>

namespace settle::client {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

upgrade_refused::upgrade_refused(unsigned status, std::string body, std::optional<std::string> retry_after)
    : std::runtime_error("the stream's upgrade was answered " + std::to_string(status)), status(status),
      body(std::move(body)), retry_after(std::move(retry_after)) {}

struct websocket_connection::state {
  asio::io_context context;
  websocket::stream<beast::tcp_stream> socket{context};
  beast::flat_buffer buffer;
  bool read_pending = false;
  bool read_done = false;
  beast::error_code read_error;

  // Starts `operation` and waits for it until `deadline`; throws websocket_failure.
  template <class Operation>
  void complete(Operation operation, deadline_clock::time_point deadline, const char* step) {
    auto result = await_operation(context, operation, deadline, [this] { abandon(); });
    if (!result) {
      throw websocket_failure(std::string(step) + ": timed out");
    }
    if (*result && *result != websocket::error::upgrade_declined) {
      throw websocket_failure(std::string(step) + ": " + result->message());
    }
  }

  void abandon() {
    beast::error_code ignored;
    beast::get_lowest_layer(socket).socket().shutdown(tcp::socket::shutdown_both, ignored);
    beast::get_lowest_layer(socket).close();
  }

  void connect(const base_url& server, deadline_clock::time_point deadline) {
    resolve_and_connect(context, beast::get_lowest_layer(socket), server,
                        [&](auto operation, const char* step) { complete(operation, deadline, step); });
  }

  void upgrade(const base_url& server, const std::string& api_key, deadline_clock::time_point deadline) {
    // The server pings every 20 seconds; our own pings find a connection that died
    // silently (a cut cable sends no reset) while the caller waits for events.
    websocket::stream_base::timeout timeouts{};
    timeouts.handshake_timeout = std::chrono::seconds(30);
    timeouts.idle_timeout = std::chrono::seconds(45);
    timeouts.keep_alive_pings = true;
    socket.set_option(timeouts);
    socket.set_option(websocket::stream_base::decorator([api_key](websocket::request_type& request) {
      request.set(http::field::authorization, "Bearer " + api_key);
      request.set(http::field::user_agent, "settle-cpp-client/0.1");
    }));
    websocket::response_type response;
    complete([&](auto handler) {
      socket.async_handshake(response, server.host + ":" + server.port, server.path_prefix + "/v1/stream", handler);
    }, deadline, "upgrade");
    if (response.result_int() != 101) {
      std::optional<std::string> retry_after;
      if (auto found = response.find(http::field::retry_after); found != response.end()) {
        retry_after = std::string(found->value());
      }
      throw upgrade_refused(response.result_int(), response.body(), retry_after);
    }
  }
};

websocket_connection::websocket_connection(const base_url& server, const std::string& api_key,
                                           deadline_clock::time_point deadline)
    : state_(std::make_unique<state>()) {
  state_->connect(server, deadline);
  state_->upgrade(server, api_key, deadline);
  state_->socket.text(true);
}

websocket_connection::~websocket_connection() = default;

void websocket_connection::send_text(std::string_view text, deadline_clock::time_point deadline) {
  auto& self = *state_;
  self.complete([&](auto handler) { self.socket.async_write(asio::buffer(text.data(), text.size()), handler); },
                deadline, "send");
}

websocket_message websocket_connection::read(deadline_clock::time_point deadline) {
  auto& self = *state_;
  if (!self.read_pending) {
    self.read_pending = true;
    self.read_done = false;
    self.socket.async_read(self.buffer, [&self](beast::error_code error, std::size_t) {
      self.read_error = error;
      self.read_done = true;
    });
  }
  websocket_message message;
  if (!run_until_done(self.context, self.read_done, deadline)) {
    return message;
  }
  self.read_pending = false;
  if (self.read_error) {
    message.what = websocket_message::kind::closed;
    if (self.read_error == websocket::error::closed) {
      message.close_code = self.socket.reason().code;
      message.close_reason = std::string(self.socket.reason().reason.data(), self.socket.reason().reason.size());
    } else {
      message.close_reason = self.read_error.message();
    }
    return message;
  }
  message.what = websocket_message::kind::text;
  message.text = beast::buffers_to_string(self.buffer.data());
  self.buffer.consume(self.buffer.size());
  return message;
}

void websocket_connection::close(deadline_clock::time_point deadline) {
  auto& self = *state_;
  if (!self.socket.is_open()) {
    return;
  }
  bool done = false;
  self.socket.async_close(websocket::close_code::normal, [&done](beast::error_code) { done = true; });
  if (!run_until_done(self.context, done, deadline)) {
    self.abandon();
    run_until_done(self.context, done, deadline_clock::now() + std::chrono::seconds(1));
  }
}

} // namespace settle::client
