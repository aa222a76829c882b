// Tests the strict parsing of request bodies: duplicate keys anywhere, nesting past 32
// levels and invalid JSON are refused; everything else parses to the expected value.
#include "net/strict_json.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <string>

namespace {

// The parse's refusal sentence, or "accepted" when the text parsed.
std::string refusal_of(const std::string& text) {
  std::string why;
  auto value = settle::net::parse_strict_json(text, why);
  return value ? std::string{"accepted"} : why;
}

bool is_accepted(const std::string& text) {
  return refusal_of(text) == "accepted";
}

// `levels` arrays nested in one another: "[[...]]".
std::string nested_arrays(std::size_t levels) {
  return std::string(levels, '[') + std::string(levels, ']');
}

// `levels` objects nested in one another: {"a":{"a":...{}}}.
std::string nested_objects(std::size_t levels) {
  std::string text;
  for (std::size_t level = 1; level < levels; ++level) {
    text += "{\"a\":";
  }
  text += "{}";
  text += std::string(levels - 1, '}');
  return text;
}

const std::string duplicate_sentence = "the JSON body has a duplicate key";
const std::string depth_sentence = "the JSON body is nested deeper than 32 levels";
const std::string invalid_sentence = "the body is not valid JSON";

} // namespace

TEST_CASE("a duplicate key at the top level is refused", "[strict_json]") {
  CHECK(refusal_of(R"({"amount":1,"amount":2})") == duplicate_sentence);
  CHECK(refusal_of(R"({"a":1,"b":2,"a":1})") == duplicate_sentence);
}

TEST_CASE("a duplicate key in a nested object is refused", "[strict_json]") {
  CHECK(refusal_of(R"({"outer":{"inner":1,"inner":2}})") == duplicate_sentence);
  CHECK(refusal_of(R"({"transfers":[{"amount":1},{"amount":1,"amount":2}]})")
        == duplicate_sentence);
}

TEST_CASE("a duplicate key spelled with an escape is refused", "[strict_json]") {
  CHECK(refusal_of(R"({"amount":1,"\u0061mount":2})") == duplicate_sentence);
}

TEST_CASE("the same key in different objects is not a duplicate", "[strict_json]") {
  CHECK(is_accepted(R"({"a":{"a":1},"b":{"a":2}})"));
  CHECK(is_accepted(R"([{"amount":1},{"amount":1}])"));
  CHECK(is_accepted(R"({"a":1,"b":{"a":1}})"));
}

TEST_CASE("32 levels of nesting are accepted and 33 refused", "[strict_json]") {
  REQUIRE(settle::net::maximum_json_depth == 32);
  CHECK(is_accepted(nested_arrays(32)));
  CHECK(refusal_of(nested_arrays(33)) == depth_sentence);
  CHECK(is_accepted(nested_objects(32)));
  CHECK(refusal_of(nested_objects(33)) == depth_sentence);
}

TEST_CASE("text that is not one valid JSON value is refused", "[strict_json]") {
  for (const std::string text : {"", " ", "{", R"({"a":})", R"({"a":1,})", "{'a':1}",
                                 R"({"a":1} {"b":2})", R"({"a":1} x)", R"({"a":NaN})",
                                 R"({"a":1 /* comment */})", R"({"a":"unterminated})",
                                 "[1,2", R"({"a":01})"}) {
    INFO("body: " << text);
    CHECK(refusal_of(text) == invalid_sentence);
  }
}

TEST_CASE("invalid UTF-8 in a string is refused", "[strict_json]") {
  CHECK(refusal_of("{\"name\":\"\xff\xfe\"}") == invalid_sentence);
}

TEST_CASE("a valid body is accepted with its values", "[strict_json]") {
  std::string why;
  auto value = settle::net::parse_strict_json(
    R"({"name":"Ada","amount":1500,"nested":{"list":[1,{"flag":true},null]},"ratio":0.5})", why);
  REQUIRE(value.has_value());
  CHECK(why.empty());
  const auto& object = value->as_object();
  CHECK(object.at("name").as_string() == "Ada");
  CHECK(object.at("amount").as_int64() == 1500);
  CHECK(object.at("nested").at("list").at(1).at("flag").as_bool());
  CHECK(object.at("nested").at("list").at(2).is_null());
  CHECK(object.at("ratio").as_double() == 0.5);
  CHECK(object.size() == 4);
}

TEST_CASE("a top-level value other than an object is still valid JSON", "[strict_json]") {
  // The builders refuse non-objects; the parser itself accepts any one value.
  std::string why;
  auto array = settle::net::parse_strict_json("[1,2,3]", why);
  REQUIRE(array.has_value());
  CHECK(array->as_array().size() == 3);
  CHECK(is_accepted("42"));
  CHECK(is_accepted(R"("text")"));
}
