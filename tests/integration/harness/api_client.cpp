// Thin request builders over http_client.
#include "tests/integration/harness/api_client.hpp"

#include <boost/json/serialize.hpp>

namespace settle::integration {

namespace {

header_list with_json_content_type(header_list headers) {
  headers.emplace(headers.begin(), "Content-Type", "application/json");
  return headers;
}

}  // namespace

api_client::api_client(std::uint16_t port, std::string key, std::chrono::milliseconds timeout)
    : key_(std::move(key)), connection_("127.0.0.1", port, timeout) {}

http_response api_client::get(std::string_view target) { return send("GET", target, "", {}); }

http_response api_client::post(std::string_view target, const boost::json::value& body, header_list extra_headers) {
  return post_text(target, boost::json::serialize(body), std::move(extra_headers));
}

http_response api_client::post_text(std::string_view target, std::string body, header_list extra_headers) {
  return send("POST", target, std::move(body), with_json_content_type(std::move(extra_headers)));
}

http_response api_client::put(std::string_view target, const boost::json::value& body) {
  return send("PUT", target, boost::json::serialize(body), with_json_content_type({}));
}

http_response api_client::remove(std::string_view target) { return send("DELETE", target, "", {}); }

http_response api_client::send(std::string method, std::string_view target, std::string body, header_list headers) {
  http_request request;
  request.method = std::move(method);
  request.target = std::string(target);
  request.body = std::move(body);
  if (!key_.empty()) {
    request.headers.emplace_back("Authorization", "Bearer " + key_);
  }
  request.headers.insert(request.headers.end(), headers.begin(), headers.end());
  return connection_.send(request);
}

}  // namespace settle::integration
