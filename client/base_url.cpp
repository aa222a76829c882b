// Parsing the base URL by hand: the client accepts one shape only, and a precise
// message for everything else helps more than a general URL parser's.
#include "client/base_url.hpp"

#include <stdexcept>

namespace settle::client {

namespace {

constexpr std::string_view http_scheme = "http://";

// "[::1]:8080" keeps its brackets out of the host; "example.com" gets port 80.
void split_authority(const std::string& authority, base_url& parsed) {
  std::string::size_type port_separator = std::string::npos;
  if (!authority.empty() && authority.front() == '[') {
    auto closing = authority.find(']');
    if (closing == std::string::npos) {
      throw std::invalid_argument("base URL: unclosed '[' in " + authority);
    }
    parsed.host = authority.substr(1, closing - 1);
    if (closing + 1 < authority.size() && authority[closing + 1] == ':') {
      port_separator = closing + 1;
    }
  } else {
    port_separator = authority.rfind(':');
    parsed.host = authority.substr(0, port_separator);
  }
  parsed.port = port_separator == std::string::npos ? "80" : authority.substr(port_separator + 1);
  if (parsed.host.empty() || parsed.port.empty()) {
    throw std::invalid_argument("base URL: no host or port in " + authority);
  }
}

} // namespace

base_url parse_base_url(const std::string& text) {
  if (text.rfind("https://", 0) == 0) {
    throw std::invalid_argument("base URL: https:// is not supported by this client yet: " + text);
  }
  if (text.rfind(http_scheme, 0) != 0) {
    throw std::invalid_argument("base URL must start with http://: " + text);
  }
  auto rest = text.substr(http_scheme.size());
  auto slash = rest.find('/');
  base_url parsed;
  split_authority(rest.substr(0, slash), parsed);
  if (slash != std::string::npos) {
    parsed.path_prefix = rest.substr(slash);
    while (!parsed.path_prefix.empty() && parsed.path_prefix.back() == '/') {
      parsed.path_prefix.pop_back();
    }
  }
  return parsed;
}

} // namespace settle::client
