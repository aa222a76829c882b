// One kept-alive HTTP/1.1 connection to the server, on Beast: send a request, read the
// whole answer, within a timeout. It knows nothing of the API; api_client builds the
// requests and decides about retries.
#pragma once

#include "client/base_url.hpp"

#include <chrono>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace settle::client {

struct http_exchange {
  std::string method;
  // Path and query, the base URL's prefix already included.
  std::string target;
  std::vector<std::pair<std::string, std::string>> headers;
  // Sent with Content-Type: application/json when not empty.
  std::string body;
};

struct http_answer {
  unsigned status = 0;
  std::string body;
  std::optional<std::string> retry_after;
  bool replayed = false;
};

// No answer was read. `stale` when it happened on a connection that had already served
// a request: the server may have closed it for being idle.
class http_failure : public std::runtime_error {
 public:
  http_failure(const std::string& what, bool stale) : std::runtime_error(what), stale(stale) {}
  bool stale;
};

class http_connection {
 public:
  http_connection(base_url server, std::chrono::milliseconds timeout);
  ~http_connection();
  http_connection(const http_connection&) = delete;
  http_connection& operator=(const http_connection&) = delete;

  // Connects first when there is no open connection. Throws http_failure; the connection
  // is closed then, and the next exchange opens a new one.
  http_answer exchange(const http_exchange& request);

 private:
  struct state;
  std::unique_ptr<state> state_;
};

} // namespace settle::client
