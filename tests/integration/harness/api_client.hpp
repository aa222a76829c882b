// A client of the Settle API holding one key: it adds `Authorization: Bearer <key>` and,
// for JSON bodies, `Content-Type: application/json`, so tests state only what matters.
#pragma once

#include "tests/integration/harness/http_client.hpp"

#include <boost/json/value.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace settle::integration {

class api_client {
 public:
  // An empty key sends no Authorization header. `timeout` bounds each request.
  api_client(std::uint16_t port, std::string key, std::chrono::milliseconds timeout = std::chrono::seconds(30));

  http_response get(std::string_view target);
  http_response post(std::string_view target, const boost::json::value& body, header_list extra_headers = {});
  // The body exactly as given, for malformed or hand-written JSON.
  http_response post_text(std::string_view target, std::string body, header_list extra_headers = {});
  http_response put(std::string_view target, const boost::json::value& body);
  http_response remove(std::string_view target);

  // The request as given plus Authorization: for unusual methods or content types.
  http_response send(std::string method, std::string_view target, std::string body, header_list headers);

  const std::string& key() const { return key_; }
  http_client& connection() { return connection_; }
  void retarget(std::uint16_t port) { connection_.retarget(port); }

 private:
  std::string key_;
  http_client connection_;
};

}  // namespace settle::integration
