// Boost.JSON accessors with error messages that quote the JSON they could not read.
#include "tests/integration/harness/json_helpers.hpp"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <regex>
#include <stdexcept>

namespace settle::integration {

namespace {

const boost::json::value& member(const boost::json::object& object, std::string_view key) {
  const auto* found = object.if_contains(key);
  if (!found) {
    throw std::runtime_error("no field \"" + std::string(key) + "\" in " + boost::json::serialize(object));
  }
  return *found;
}

[[noreturn]] void wrong_type(const boost::json::object& object, std::string_view key, const char* wanted) {
  throw std::runtime_error("field \"" + std::string(key) + "\" is not " + wanted + " in " +
                           boost::json::serialize(object));
}

}  // namespace

boost::json::value parse_json(std::string_view text) {
  boost::json::error_code error;
  auto value = boost::json::parse(text, error);
  if (error) {
    throw std::runtime_error("not JSON (" + error.message() + "): " + std::string(text.substr(0, 2000)));
  }
  return value;
}

boost::json::object json_object(const http_response& response) {
  auto value = parse_json(response.body);
  if (!value.is_object()) {
    throw std::runtime_error("expected a JSON object, got: " + response.body.substr(0, 2000));
  }
  return std::move(value.as_object());
}

std::vector<std::string> keys_of(const boost::json::object& object) {
  std::vector<std::string> keys;
  for (const auto& entry : object) {
    keys.emplace_back(entry.key());
  }
  std::sort(keys.begin(), keys.end());
  return keys;
}

std::vector<std::string> key_set(std::vector<std::string> keys) {
  std::sort(keys.begin(), keys.end());
  return keys;
}

std::string id_of(const boost::json::object& object) { return string_field(object, "id"); }

std::string string_field(const boost::json::object& object, std::string_view key) {
  const auto& value = member(object, key);
  if (!value.is_string()) {
    wrong_type(object, key, "a string");
  }
  return std::string(value.as_string());
}

std::int64_t integer_field(const boost::json::object& object, std::string_view key) {
  const auto& value = member(object, key);
  if (!value.is_int64()) {
    wrong_type(object, key, "a 64-bit integer");
  }
  return value.as_int64();
}

boost::json::object object_field(const boost::json::object& object, std::string_view key) {
  const auto& value = member(object, key);
  if (!value.is_object()) {
    wrong_type(object, key, "an object");
  }
  return value.as_object();
}

bool is_null_field(const boost::json::object& object, std::string_view key) {
  return member(object, key).is_null();
}

std::vector<std::string> ids_of(const std::vector<boost::json::object>& objects) {
  std::vector<std::string> ids;
  for (const auto& object : objects) {
    ids.push_back(string_field(object, "id"));
  }
  return ids;
}

bool is_utc_timestamp_with_milliseconds(std::string_view text) {
  static const std::regex pattern(R"(^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}Z$)");
  return std::regex_match(text.begin(), text.end(), pattern);
}

std::optional<std::chrono::system_clock::time_point> parse_utc_timestamp(std::string_view text) {
  if (!is_utc_timestamp_with_milliseconds(text)) {
    return std::nullopt;
  }
  const std::string copy(text);
  std::tm fields{};
  int milliseconds = 0;
  std::sscanf(copy.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d.%3dZ", &fields.tm_year, &fields.tm_mon, &fields.tm_mday,
              &fields.tm_hour, &fields.tm_min, &fields.tm_sec, &milliseconds);
  fields.tm_year -= 1900;
  fields.tm_mon -= 1;
  return std::chrono::system_clock::from_time_t(::timegm(&fields)) + std::chrono::milliseconds(milliseconds);
}

bool is_recent_timestamp(std::string_view text) {
  const auto instant = parse_utc_timestamp(text);
  if (!instant) {
    return false;
  }
  const auto difference = std::chrono::system_clock::now() - *instant;
  return difference < std::chrono::minutes(1) && difference > -std::chrono::minutes(1);
}

std::string nested_arrays(std::size_t depth) {
  return std::string(depth, '[') + "1" + std::string(depth, ']');
}

}  // namespace settle::integration
