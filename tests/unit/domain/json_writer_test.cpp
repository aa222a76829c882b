// Tests the DOM-free JSON writer against boost::json's serializer: for every control
// character, quotes, backslashes, non-ASCII text, empty text, null and the extreme
// integers, the writer's text is byte for byte boost's, and it parses back to the values.
#include "domain/json_writer.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace {

namespace json = boost::json;

std::vector<std::string> awkward_texts() {
  std::vector<std::string> texts{"",           "plain",
                                 "\"quoted\"", "back\\slash",
                                 "/slash/",    "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x92\xb8",
                                 "\x7f",       "{\"a\":1}"};
  for (int code = 0; code < 0x20; ++code) {
    texts.push_back(std::string{"a"} + static_cast<char>(code) + "b");
  }
  return texts;
}

} // namespace

TEST_CASE("the JSON writer writes what boost::json serializes", "[json_writer]") {
  for (const auto& text : awkward_texts()) {
    INFO("text of " << text.size() << " bytes: " << json::serialize(json::value(text)));
    std::string written;
    settle::append_json_string(written, text);
    CHECK(written == json::serialize(json::value(text)));

    auto object = settle::json_object_writer{}
                      .text("text", text)
                      .nullable_text("maybe", text)
                      .integer("least", std::numeric_limits<std::int64_t>::min())
                      .integer("most", std::numeric_limits<std::int64_t>::max())
                      .integer("zero", 0)
                      .null("nothing")
                      .finish();
    json::object expected{{"text", text},
                          {"maybe", text.empty() ? json::value(nullptr) : json::value(text)},
                          {"least", std::numeric_limits<std::int64_t>::min()},
                          {"most", std::numeric_limits<std::int64_t>::max()},
                          {"zero", 0},
                          {"nothing", nullptr}};
    CHECK(object == json::serialize(expected));
    CHECK(json::parse(object) == json::value(expected));
  }
}

TEST_CASE("an empty JSON object is written as {}", "[json_writer]") {
  CHECK(settle::json_object_writer{}.finish() == "{}");
}
