// The WebSocket client of the integration tests; see websocket_client.hpp. The connect and
// the upgrade run on the caller's thread; after that, one I/O thread owns the stream: it
// keeps one read outstanding (once reading has started) and performs the sends and the
// close that the caller posts to it, and the caller waits for their results.
#include "tests/integration/harness/websocket_client.hpp"

#include "tests/integration/harness/json_helpers.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include <condition_variable>
#include <deque>
#include <future>
#include <mutex>
#include <optional>
#include <thread>

namespace settle::integration {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;

namespace {

// Larger than any message the API sends, so that a long message is never the failure.
constexpr std::uint64_t message_limit = 64 * 1024 * 1024;

}  // namespace

websocket_upgrade_refused::websocket_upgrade_refused(unsigned status_code, std::string response_body)
    : std::runtime_error("the WebSocket upgrade was answered " + std::to_string(status_code) + ": " +
                         response_body.substr(0, 500)),
      status(status_code),
      body(std::move(response_body)) {}

std::string websocket_message::describe() const {
  switch (what) {
    case kind::text:
      return text.substr(0, 2000);
    case kind::closed:
      return close_code != 0 ? "closed " + std::to_string(close_code) + " (" + close_reason + ")"
                             : "connection ended without a close frame (" + error + ")";
    case kind::timed_out:
      break;
  }
  return "timed out";
}

struct websocket_client::state {
  websocket_options options;
  std::uint16_t port = 0;
  asio::io_context io_context;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  websocket::stream<beast::tcp_stream> stream{io_context};
  beast::flat_buffer buffer;
  std::thread io_thread;
  std::promise<void> io_thread_ended;

  // Shared with the I/O thread.
  mutable std::mutex mutex;
  std::condition_variable changed;
  std::deque<std::string> inbox;
  bool reading = false;
  bool paused = false;
  bool ended = false;
  std::uint16_t close_code = 0;
  std::string close_reason;
  std::string end_error;

  std::string address() const { return "127.0.0.1:" + std::to_string(port); }

  void connect_and_upgrade() {
    auto& tcp = beast::get_lowest_layer(stream);
    beast::error_code result;
    tcp.socket().open(asio::ip::tcp::v4(), result);
    if (!result && options.receive_buffer_bytes > 0) {
      tcp.socket().set_option(asio::socket_base::receive_buffer_size(options.receive_buffer_bytes), result);
    }
    if (result) {
      throw websocket_error("cannot open a socket: " + result.message());
    }
    tcp.expires_after(options.timeout);
    tcp.async_connect(asio::ip::tcp::endpoint{asio::ip::make_address("127.0.0.1"), port},
                      [&result](beast::error_code error) { result = error; });
    io_context.run();
    if (result) {
      throw websocket_error("cannot connect to " + address() + ": " + result.message());
    }
    tcp.expires_never();
    stream.set_option(websocket::stream_base::timeout{options.timeout, websocket::stream_base::none(), false});
    stream.set_option(websocket::stream_base::decorator([headers = options.headers](websocket::request_type& request) {
      for (const auto& [name, value] : headers) {
        request.insert(name, value);
      }
    }));
    stream.read_message_max(message_limit);
    websocket::response_type response;
    io_context.restart();
    stream.async_handshake(response, address(), options.target,
                           [&result](beast::error_code error) { result = error; });
    io_context.run();
    if (result == websocket::error::upgrade_declined) {
      throw websocket_upgrade_refused(response.result_int(), response.body());
    }
    if (result) {
      throw websocket_error("WebSocket upgrade of " + options.target + " at " + address() +
                            " failed: " + result.message());
    }
    stream.text(true);
  }

  void start_io_thread() {
    io_context.restart();
    work.emplace(io_context.get_executor());
    io_thread = std::thread([this] {
      io_context.run();
      io_thread_ended.set_value();
    });
  }

  // On the I/O thread.
  void read_next() {
    stream.async_read(buffer, [this](beast::error_code error, std::size_t) {
      std::lock_guard lock(mutex);
      if (!error) {
        inbox.push_back(beast::buffers_to_string(buffer.data()));
        buffer.consume(buffer.size());
        changed.notify_all();
        if (paused) {
          reading = false;
        } else {
          read_next();
        }
        return;
      }
      ended = true;
      if (error == websocket::error::closed) {
        close_code = static_cast<std::uint16_t>(stream.reason().code);
        close_reason = std::string(stream.reason().reason.c_str());
      } else {
        end_error = error.message();
      }
      changed.notify_all();
    });
  }

  void start_reading() {
    {
      std::lock_guard lock(mutex);
      paused = false;
      if (reading || ended) {
        return;
      }
      reading = true;
    }
    asio::post(io_context, [this] { read_next(); });
  }

  // Runs `operation(done)` on the I/O thread and waits for it to call done(error).
  template <typename Operation>
  void run_and_wait(const std::string& what, Operation operation) {
    auto outcome = std::make_shared<std::promise<beast::error_code>>();
    auto result = outcome->get_future();
    asio::post(io_context, [operation, outcome]() mutable {
      operation([outcome](beast::error_code error) { outcome->set_value(error); });
    });
    if (result.wait_for(options.timeout) != std::future_status::ready) {
      throw websocket_error(what + " to " + address() + " did not finish within the timeout");
    }
    if (const auto error = result.get()) {
      throw websocket_error(what + " to " + address() + " failed: " + error.message());
    }
  }

  websocket_message ended_message() const {
    websocket_message message;
    message.what = websocket_message::kind::closed;
    message.close_code = close_code;
    message.close_reason = close_reason;
    message.error = end_error;
    return message;
  }
};

websocket_client::websocket_client(std::uint16_t port, websocket_options options)
    : state_(std::make_shared<state>()) {
  state_->options = std::move(options);
  state_->port = port;
  state_->connect_and_upgrade();
  state_->start_io_thread();
  state_->start_reading();
}

namespace {

websocket_options with_key(const std::string& key) {
  websocket_options options;
  options.headers.emplace_back("Authorization", "Bearer " + key);
  return options;
}

}  // namespace

websocket_client::websocket_client(std::uint16_t port, const std::string& key)
    : websocket_client(port, with_key(key)) {}

websocket_client::~websocket_client() {
  auto& current = *state_;
  if (!current.io_thread.joinable()) {
    return;
  }
  // Closing the socket ends every pending operation; then the I/O thread runs out of work.
  asio::post(current.io_context, [&current] {
    beast::error_code ignored;
    beast::get_lowest_layer(current.stream).socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    beast::get_lowest_layer(current.stream).socket().close(ignored);
    current.work.reset();
  });
  if (current.io_thread_ended.get_future().wait_for(std::chrono::seconds(5)) != std::future_status::ready) {
    current.io_context.stop();
  }
  current.io_thread.join();
}

void websocket_client::send_text(std::string_view text) {
  auto& current = *state_;
  auto message = std::make_shared<std::string>(text);
  current.run_and_wait("sending a message", [&current, message](auto done) {
    current.stream.async_write(asio::buffer(*message),
                               [message, done](beast::error_code error, std::size_t) { done(error); });
  });
}

void websocket_client::send_json(const boost::json::value& message) { send_text(boost::json::serialize(message)); }

websocket_message websocket_client::read(std::chrono::milliseconds wait) {
  auto& current = *state_;
  current.start_reading();
  std::unique_lock lock(current.mutex);
  current.changed.wait_for(lock, wait, [&current] { return !current.inbox.empty() || current.ended; });
  if (!current.inbox.empty()) {
    websocket_message message;
    message.what = websocket_message::kind::text;
    message.text = std::move(current.inbox.front());
    current.inbox.pop_front();
    return message;
  }
  if (current.ended) {
    return current.ended_message();
  }
  return {};
}

boost::json::object websocket_client::read_json(std::chrono::milliseconds wait) {
  const auto message = read(wait);
  if (message.what != websocket_message::kind::text) {
    throw websocket_error("expected a message from " + state_->address() + ", got: " + message.describe());
  }
  const auto value = parse_json(message.text);
  if (!value.is_object()) {
    throw websocket_error("a message is not a JSON object: " + message.text.substr(0, 2000));
  }
  return value.as_object();
}

websocket_message websocket_client::read_until_closed(std::chrono::milliseconds wait, std::size_t* skipped) {
  const auto deadline = std::chrono::steady_clock::now() + wait;
  std::size_t count = 0;
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    auto message = read(std::max(left, std::chrono::milliseconds(0)));
    if (message.what != websocket_message::kind::text) {
      if (skipped) {
        *skipped = count;
      }
      return message;
    }
    ++count;
  }
}

std::size_t websocket_client::queued() const {
  std::lock_guard lock(state_->mutex);
  return state_->inbox.size();
}

void websocket_client::pause_reading() {
  std::lock_guard lock(state_->mutex);
  state_->paused = true;
}

void websocket_client::close() {
  auto& current = *state_;
  current.run_and_wait("closing", [&current](auto done) {
    current.stream.async_close(websocket::close_code::normal, [done](beast::error_code error) { done(error); });
  });
}

}  // namespace settle::integration
