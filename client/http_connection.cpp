// Each step (resolve, connect, write, read) is an asynchronous Beast operation run on
// the caller's thread until it completes or the exchange's deadline passes; a step that
// runs out of time closes the socket, which ends the step with operation_aborted.
#include "client/http_connection.hpp"

#include "client/io_wait.hpp"
#include "client/tcp_connect.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

namespace settle::client {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct http_connection::state {
  state(base_url server, std::chrono::milliseconds timeout)
      : server(std::move(server)), timeout(timeout), socket(context) {}

  base_url server;
  std::chrono::milliseconds timeout;
  asio::io_context context;
  beast::tcp_stream socket;
  beast::flat_buffer buffer;
  bool connected = false;
  // Whether the open connection has served an answer already (see http_failure::stale).
  bool reused = false;

  // Starts `operation` with a completion handler and waits for it; throws on an error or
  // when the deadline passes.
  template <class Operation>
  void complete(Operation operation, deadline_clock::time_point deadline, const char* step) {
    auto result = await_operation(context, operation, deadline, [this] { drop(); });
    if (!result) {
      fail(std::string(step) + ": timed out");
    }
    if (*result) {
      fail(std::string(step) + ": " + result->message());
    }
  }

  [[noreturn]] void fail(const std::string& what) {
    bool stale = reused;
    drop();
    throw http_failure(what, stale);
  }

  void drop() {
    beast::error_code ignored;
    socket.socket().shutdown(tcp::socket::shutdown_both, ignored);
    socket.close();
    buffer.clear();
    connected = false;
    reused = false;
  }

  void connect(deadline_clock::time_point deadline) {
    resolve_and_connect(context, socket, server, [&](auto operation, const char* step) {
      complete(operation, deadline, step);
    });
    socket.socket().set_option(tcp::no_delay(true));
    connected = true;
  }
};

http_connection::http_connection(base_url server, std::chrono::milliseconds timeout)
    : state_(std::make_unique<state>(std::move(server), timeout)) {}

http_connection::~http_connection() = default;

namespace {

http::request<http::string_body> build_request(const http_exchange& request, const base_url& server) {
  http::request<http::string_body> built{http::string_to_verb(request.method), request.target, 11};
  built.set(http::field::host, server.host + ":" + server.port);
  built.set(http::field::user_agent, "settle-cpp-client/0.1");
  built.set(http::field::accept, "application/json");
  for (const auto& [name, value] : request.headers) {
    built.set(name, value);
  }
  if (!request.body.empty()) {
    built.set(http::field::content_type, "application/json");
    built.body() = request.body;
  }
  built.keep_alive(true);
  built.prepare_payload();
  return built;
}

} // namespace

http_answer http_connection::exchange(const http_exchange& request) {
  auto& self = *state_;
  const auto deadline = deadline_clock::now() + self.timeout;
  if (!self.connected) {
    self.connect(deadline);
  }
  auto built = build_request(request, self.server);
  self.complete([&](auto handler) { http::async_write(self.socket, built, handler); }, deadline, "send");
  http::response<http::string_body> response;
  self.complete([&](auto handler) { http::async_read(self.socket, self.buffer, response, handler); },
                deadline, "read answer");
  http_answer answer;
  answer.status = response.result_int();
  answer.body = std::move(response.body());
  if (auto found = response.find(http::field::retry_after); found != response.end()) {
    answer.retry_after = std::string(found->value());
  }
  if (auto found = response.find("Idempotent-Replayed"); found != response.end()) {
    answer.replayed = found->value() == "true";
  }
  if (response.keep_alive()) {
    self.reused = true;
  } else {
    self.drop();
  }
  return answer;
}

} // namespace settle::client
