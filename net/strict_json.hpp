// Strict JSON parsing for request bodies: one JSON value, no duplicate keys in any
// object, at most 32 levels of nesting. Anything else is `400 malformed_json`.
#pragma once

#include <boost/json/value.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace settle::net {

inline constexpr std::size_t maximum_json_depth = 32;

// The parsed value, or nothing with `why` set to a sentence for the client.
std::optional<boost::json::value> parse_strict_json(std::string_view text, std::string& why);

} // namespace settle::net
