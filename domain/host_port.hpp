// "HOST:PORT", as the options and the seeds give addresses: --http.listen,
// --cluster.listen, --cluster.seeds.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace settle {

struct host_port {
  std::string host; // an IPv6 address without its brackets
  std::uint16_t port = 0;
};

// The host (not empty; "[::1]:8080" gives "::1") and the port (0 to 65535, decimal
// digits only), split at the last colon; nothing when malformed.
std::optional<host_port> parse_host_port(std::string_view text);

// Whether the host is this machine's loopback: localhost, 127.x.x.x or ::1.
bool is_loopback(const host_port& address);

} // namespace settle
