// Percent-decoding (RFC 3986) of request targets and storage URLs.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace settle {

// The decoded text, or nothing when an escape is broken. In a query, '+' means a space.
std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space);

} // namespace settle
