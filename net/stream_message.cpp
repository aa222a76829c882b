// A `since` of 2^63 or more is refused like `after` in GET /v1/events: cast to the
// signed seq it replayed the whole history.
#include "net/stream_message.hpp"

#include <boost/json.hpp>

namespace settle::net {
namespace {

namespace json = boost::json;

stream_message read_subscribe(const json::object& object) {
  const auto* topics = object.if_contains("topics");
  const auto* since = object.if_contains("since");
  bool valid = topics && topics->is_array() && !topics->as_array().empty()
               && topics->as_array().size() <= stream_topics_limit;
  subscribe_message subscribe;
  for (const auto& topic : valid ? topics->as_array() : json::array{}) {
    valid = valid && topic.is_string();
    if (valid) {
      subscribe.topics.emplace_back(topic.as_string());
    }
  }
  if (!valid) {
    return message_refusal{"invalid_parameter", "topics",
                           "subscribe needs 1 to 100 topics (strings)"};
  }
  if (since && !(since->is_int64() && since->as_int64() >= 0)) {
    return message_refusal{"invalid_parameter", "since",
                           "since is an integer from 0 to 9223372036854775807"};
  }
  subscribe.has_since = since != nullptr;
  subscribe.since = since ? since->as_int64() : 0;
  return subscribe;
}

} // namespace

stream_message parse_stream_message(std::string_view text) {
  json::error_code error;
  auto message = json::parse(json::string_view{text.data(), text.size()}, error);
  if (error) {
    return message_refusal{"malformed_json", "", "messages are JSON objects with a \"type\""};
  }
  if (!message.is_object() || !message.as_object().contains("type")
      || !message.as_object().at("type").is_string()) {
    return message_refusal{"invalid_parameter", "type",
                           "messages are JSON objects with a \"type\""};
  }
  const auto& object = message.as_object();
  auto type = object.at("type").as_string();
  if (type == "auth") {
    const auto* token = object.if_contains("token");
    return auth_message{token && token->is_string() ? std::string{token->as_string()}
                                                    : std::string{}};
  }
  if (type == "subscribe") {
    return read_subscribe(object);
  }
  return message_refusal{"invalid_parameter", "type",
                         "the type is \"auth\" or \"subscribe\""};
}

} // namespace settle::net
