// The HTTP client of the integration tests, on Boost.Beast. Operations are asynchronous
// underneath only so that Beast's stream timeouts apply; to the caller they are blocking.
#include "tests/integration/harness/http_client.hpp"

#include <sys/socket.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <cerrno>
#include <cctype>
#include <optional>

namespace settle::integration {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {

// Larger than anything the API answers, so a truncated response is a real failure.
constexpr std::uint64_t response_body_limit = 64 * 1024 * 1024;

bool equal_ignoring_case(std::string_view left, std::string_view right) {
  if (left.size() != right.size()) {
    return false;
  }
  for (std::size_t index = 0; index < left.size(); ++index) {
    if (std::tolower(static_cast<unsigned char>(left[index])) !=
        std::tolower(static_cast<unsigned char>(right[index]))) {
      return false;
    }
  }
  return true;
}

bool is_connection_lost(const beast::error_code& error) {
  return error == http::error::end_of_stream || error == asio::error::eof ||
         error == asio::error::connection_reset || error == asio::error::broken_pipe;
}

}  // namespace

std::optional<std::string> http_response::header(std::string_view name) const {
  for (const auto& [header_name, value] : headers) {
    if (equal_ignoring_case(header_name, name)) {
      return value;
    }
  }
  return std::nullopt;
}

struct http_client::state {
  std::string host;
  std::uint16_t port = 0;
  std::chrono::milliseconds timeout;
  asio::io_context io_context;
  std::optional<beast::tcp_stream> stream;
  beast::flat_buffer buffer;
  // False once a response said the connection ends, or an exchange broke off midway.
  bool reusable = false;
  int connections_opened = 0;

  void run() {
    io_context.restart();
    io_context.run();
  }

  void disconnect() {
    if (stream) {
      beast::error_code ignored;
      stream->socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
      stream->socket().close(ignored);
      stream.reset();
    }
    buffer.clear();
    reusable = false;
  }

  std::string address() const { return host + ":" + std::to_string(port); }

  void connect() {
    disconnect();
    stream.emplace(io_context);
    const asio::ip::tcp::endpoint endpoint{asio::ip::make_address(host), port};
    beast::error_code result;
    stream->expires_after(timeout);
    stream->async_connect(endpoint, [&result](beast::error_code error) { result = error; });
    run();
    if (result) {
      disconnect();
      throw http_connect_error("cannot connect to " + address() + ": " + result.message());
    }
    ++connections_opened;
    reusable = true;
  }

  // A server may close an idle keep-alive connection at any time; looking at the socket
  // before writing avoids sending a request into a connection that is already gone.
  bool peer_has_closed() {
    char byte = 0;
    const auto received = ::recv(stream->socket().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    if (received == 0) {
      return true;
    }
    return received < 0 && errno != EAGAIN && errno != EWOULDBLOCK;
  }

  http::request<http::string_body> build(const http_request& request) const {
    http::request<http::string_body> message;
    message.version(request.version);
    const auto verb = http::string_to_verb(request.method);
    if (verb == http::verb::unknown) {
      message.method_string(request.method);
    } else {
      message.method(verb);
    }
    message.target(request.target);
    message.set(http::field::host, address());
    for (const auto& [name, value] : request.headers) {
      message.insert(name, value);
    }
    message.body() = request.body;
    message.prepare_payload();
    return message;
  }

  struct exchange_result {
    beast::error_code write_error;
    beast::error_code read_error;
    bool write_finished = false;
    std::optional<http::response<http::string_body>> response;
  };

  // Writes and reads at the same time: a server may answer before it has read the whole
  // request (413 for an oversized body) and close, and the answer must still be seen.
  exchange_result exchange(http::request<http::string_body>& message) {
    exchange_result result;
    http::response_parser<http::string_body> parser;
    parser.body_limit(response_body_limit);
    stream->expires_after(timeout);
    http::async_write(*stream, message, [&result](beast::error_code error, std::size_t) {
      result.write_error = error;
      result.write_finished = true;
    });
    http::async_read(*stream, buffer, parser, [this, &result](beast::error_code error, std::size_t) {
      result.read_error = error;
      if (!result.write_finished) {
        stream->cancel();
      }
    });
    run();
    if (!result.read_error) {
      result.response = parser.release();
    }
    return result;
  }
};

http_client::http_client(std::string host, std::uint16_t port, std::chrono::milliseconds timeout)
    : state_(std::make_unique<state>()) {
  state_->host = std::move(host);
  state_->port = port;
  state_->timeout = timeout;
}

http_client::~http_client() { state_->disconnect(); }

http_response http_client::send(const http_request& request) {
  auto& current = *state_;
  const bool reusing = current.stream && current.reusable && !current.peer_has_closed();
  if (!reusing) {
    current.connect();
  }
  auto message = current.build(request);
  auto result = current.exchange(message);
  // Only a GET is repeated after a lost kept-alive connection: repeating anything else
  // could apply an effect twice and hide exactly the bugs these tests look for.
  if (result.read_error && reusing && request.method == "GET" && is_connection_lost(result.read_error)) {
    current.connect();
    result = current.exchange(message);
  }
  if (result.read_error) {
    const auto cause = result.read_error.message();
    current.disconnect();
    throw http_error(request.method + " " + request.target + " to " + current.address() +
                     ": no response (" + cause + ")");
  }
  http_response response;
  response.status = result.response->result_int();
  response.keep_alive = result.response->keep_alive();
  for (const auto& field : *result.response) {
    response.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  response.body = std::move(result.response->body());
  // The socket is kept open after a closing response so that a test can observe the
  // server closing it; it is replaced before the next request.
  current.reusable = response.keep_alive && result.write_finished && !result.write_error;
  return response;
}

bool http_client::server_closes_connection(std::chrono::milliseconds wait) {
  auto& current = *state_;
  if (!current.stream) {
    return false;
  }
  if (current.buffer.size() > 0) {
    current.disconnect();
    return false;
  }
  char byte = 0;
  beast::error_code result;
  std::size_t received = 0;
  current.stream->expires_after(wait);
  current.stream->async_read_some(asio::buffer(&byte, 1), [&](beast::error_code error, std::size_t count) {
    result = error;
    received = count;
  });
  current.run();
  current.disconnect();
  return received == 0 && is_connection_lost(result);
}

void http_client::retarget(std::uint16_t port) {
  state_->disconnect();
  state_->port = port;
}

void http_client::close() { state_->disconnect(); }

int http_client::connections_opened() const { return state_->connections_opened; }

}  // namespace settle::integration
