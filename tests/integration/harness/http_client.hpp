// A small synchronous HTTP/1.1 client for the integration tests: one keep-alive
// connection, and every request bounded by a timeout so that a hung server fails a test
// instead of hanging the suite.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace settle::integration {

using header_list = std::vector<std::pair<std::string, std::string>>;

struct http_request {
  std::string method = "GET";
  std::string target = "/";
  // Sent as given, after Host; nothing else is added except Content-Length.
  header_list headers;
  std::string body;
  // 11 for HTTP/1.1, 10 for HTTP/1.0.
  unsigned version = 11;
};

struct http_response {
  unsigned status = 0;
  header_list headers;
  std::string body;
  bool keep_alive = true;

  // The first header with this name, compared without regard to case.
  std::optional<std::string> header(std::string_view name) const;
};

// Thrown when no response could be read: refused connection, reset, timeout.
class http_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The connection could not even be made, so the server cannot have seen the request.
class http_connect_error : public http_error {
 public:
  using http_error::http_error;
};

class http_client {
 public:
  http_client(std::string host, std::uint16_t port,
              std::chrono::milliseconds timeout = std::chrono::seconds(30));
  ~http_client();
  http_client(const http_client&) = delete;
  http_client& operator=(const http_client&) = delete;

  // Sends one request on the kept-alive connection (connecting first if needed) and
  // reads the whole response. Throws http_error when there is no response.
  http_response send(const http_request& request);

  // Whether the server closes the connection within `wait` without sending anything:
  // how a test observes that "the connection is closed" after a response.
  bool server_closes_connection(std::chrono::milliseconds wait);

  // Points the client at another port (a restarted server), dropping the connection.
  void retarget(std::uint16_t port);
  void close();

  // How many TCP connections this client has opened so far: keep-alive means one.
  int connections_opened() const;

 private:
  struct state;
  std::unique_ptr<state> state_;
};

}  // namespace settle::integration
