// The parts of a base URL the connections need: "http://host:port/prefix".
#pragma once

#include <string>

namespace settle::client {

struct base_url {
  std::string host;
  std::string port;
  // Prepended to every target: empty, or "/settle" for an API served under a path.
  std::string path_prefix;
};

// Throws std::invalid_argument for anything but http://HOST[:PORT][/PREFIX]; https:// is
// refused by name, so that a TLS URL is never silently used in plain text.
base_url parse_base_url(const std::string& text);

} // namespace settle::client
