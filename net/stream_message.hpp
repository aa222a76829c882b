// The messages a WebSocket client sends, read from their JSON text:
// {"type":"auth","token":KEY} and {"type":"subscribe","topics":[...],"since":SEQ?}.
// Anything else is refused with an API error code (and the parameter it concerns) for
// the error frame.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace settle::net {

inline constexpr std::size_t stream_topics_limit = 100;

struct auth_message {
  std::string token; // empty when missing or not a string
};

struct subscribe_message {
  std::vector<std::string> topics;
  bool has_since = false;
  std::int64_t since = 0; // 0 to 2^63 - 1, as GET /v1/events takes `after`
};

struct message_refusal {
  std::string code;   // malformed_json, invalid_parameter
  std::string param;  // "type", "topics", "since"; empty for malformed_json
  std::string reason; // the English sentence, with the limits
};

using stream_message = std::variant<auth_message, subscribe_message, message_refusal>;

stream_message parse_stream_message(std::string_view text);

} // namespace settle::net
