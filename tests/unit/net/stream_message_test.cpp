// Tests the reading of WebSocket client messages: auth with or without a token, subscribe
// with 1 to 100 string topics and a `since` from 0 to 2^63 - 1 (a larger one was cast to a
// negative seq and replayed the whole history), and refusals for everything else.
#include "net/stream_message.hpp"

#include <catch2/catch.hpp>

#include <string>

namespace {

using settle::net::auth_message;
using settle::net::message_refusal;
using settle::net::parse_stream_message;
using settle::net::subscribe_message;

message_refusal refusal(const std::string& text) {
  auto message = parse_stream_message(text);
  REQUIRE(std::holds_alternative<message_refusal>(message));
  return std::get<message_refusal>(message);
}

bool refused(const std::string& text) {
  return std::holds_alternative<message_refusal>(parse_stream_message(text));
}

subscribe_message subscription(const std::string& text) {
  auto message = parse_stream_message(text);
  REQUIRE(std::holds_alternative<subscribe_message>(message));
  return std::get<subscribe_message>(message);
}

std::string topics(std::size_t count) {
  std::string list = "[";
  for (std::size_t index = 0; index < count; ++index) {
    list += (index == 0 ? "\"t" : ",\"t") + std::to_string(index) + "\"";
  }
  return list + "]";
}

} // namespace

TEST_CASE("auth carries its token, or an empty one", "[stream_message]") {
  auto message = parse_stream_message(R"({"type":"auth","token":"k1"})");
  REQUIRE(std::holds_alternative<auth_message>(message));
  CHECK(std::get<auth_message>(message).token == "k1");
  message = parse_stream_message(R"({"type":"auth","token":7})");
  REQUIRE(std::holds_alternative<auth_message>(message));
  CHECK(std::get<auth_message>(message).token.empty());
}

TEST_CASE("since is 0 to 2^63 - 1; beyond, or negative, it is refused", "[stream_message]") {
  auto without = subscription(R"({"type":"subscribe","topics":["*"]})");
  CHECK_FALSE(without.has_since);
  CHECK(subscription(R"({"type":"subscribe","topics":["*"],"since":0})").since == 0);
  auto largest = subscription(R"({"type":"subscribe","topics":["*"],"since":9223372036854775807})");
  CHECK(largest.has_since);
  CHECK(largest.since == 9223372036854775807);
  CHECK(refused(R"({"type":"subscribe","topics":["*"],"since":9223372036854775808})"));
  CHECK(refused(R"({"type":"subscribe","topics":["*"],"since":18446744073709551615})"));
  CHECK(refused(R"({"type":"subscribe","topics":["*"],"since":-1})"));
  CHECK(refused(R"({"type":"subscribe","topics":["*"],"since":1.5})"));
  CHECK(refused(R"({"type":"subscribe","topics":["*"],"since":"5"})"));
}

TEST_CASE("a subscription names 1 to 100 topics, all strings", "[stream_message]") {
  CHECK(subscription(R"({"type":"subscribe","topics":)" + topics(1) + "}").topics.size() == 1);
  CHECK(subscription(R"({"type":"subscribe","topics":)" + topics(99) + "}").topics.size() == 99);
  CHECK(subscription(R"({"type":"subscribe","topics":)" + topics(100) + "}").topics.size() == 100);
  CHECK(refused(R"({"type":"subscribe","topics":)" + topics(101) + "}"));
  CHECK(refused(R"({"type":"subscribe","topics":[]})"));
  CHECK(refused(R"({"type":"subscribe","topics":["a",1]})"));
  CHECK(refused(R"({"type":"subscribe"})"));
}

TEST_CASE("anything but a JSON object with a known type is refused", "[stream_message]") {
  for (const char* text : {"", "null", "[]", "{}", R"({"type":1})", R"({"type":"unsubscribe"})",
                           R"({"type":"subscribe")", "\xff"}) {
    INFO(text);
    CHECK(refused(text));
  }
}

TEST_CASE("a refusal names the API error code and the parameter at fault", "[stream_message]") {
  auto not_json = refusal(R"({"type":"subscribe")");
  CHECK(not_json.code == "malformed_json");
  CHECK(not_json.param.empty());
  for (const char* text : {"[]", "{}", R"({"type":1})", R"({"type":"unsubscribe"})"}) {
    INFO(text);
    auto wrong_type = refusal(text);
    CHECK(wrong_type.code == "invalid_parameter");
    CHECK(wrong_type.param == "type");
  }
  CHECK(refusal(R"({"type":"subscribe","topics":[]})").param == "topics");
  CHECK(refusal(R"({"type":"subscribe","topics":["a",1],"since":-1})").param == "topics");
  CHECK(refusal(R"({"type":"subscribe","topics":["a"],"since":-1})").param == "since");
  CHECK(refusal(R"({"type":"subscribe","topics":["a"],"since":-1})").code == "invalid_parameter");
}
