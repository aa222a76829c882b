#include "domain/host_port.hpp"

#include <charconv>

namespace settle {

std::optional<host_port> parse_host_port(std::string_view text) {
  auto colon = text.rfind(':');
  if (colon == std::string_view::npos) {
    return std::nullopt;
  }
  auto host = text.substr(0, colon);
  auto digits = text.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  // from_chars alone would take "80x" as 80: every character must be a digit.
  unsigned number = 0;
  auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), number);
  if (host.empty() || digits.empty() || digits.size() > 5 || error != std::errc{}
      || end != digits.data() + digits.size() || number > 65535) {
    return std::nullopt;
  }
  return host_port{std::string{host}, static_cast<std::uint16_t>(number)};
}

bool is_loopback(const host_port& address) {
  return address.host == "localhost" || address.host == "::1"
         || address.host.rfind("127.", 0) == 0;
}

} // namespace settle
