// JSON helpers that keep the tests short: parse a response, read typed fields, compare key
// sets. They throw std::runtime_error with the offending text, which Catch2 reports.
#pragma once

#include "tests/integration/harness/http_client.hpp"

#include <boost/json.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace settle::integration {

boost::json::value parse_json(std::string_view text);
// The response body, which must be a JSON object.
boost::json::object json_object(const http_response& response);

// The sorted member names of an object, and a sorted copy of an expected list, so that
// `keys_of(user) == key_set({...})` states the exact shape of an object.
std::vector<std::string> keys_of(const boost::json::object& object);
std::vector<std::string> key_set(std::vector<std::string> keys);

std::string string_field(const boost::json::object& object, std::string_view key);
// The object's "id".
std::string id_of(const boost::json::object& object);
std::int64_t integer_field(const boost::json::object& object, std::string_view key);
boost::json::object object_field(const boost::json::object& object, std::string_view key);
bool is_null_field(const boost::json::object& object, std::string_view key);

// The `id` of each object, in order.
std::vector<std::string> ids_of(const std::vector<boost::json::object>& objects);

// RFC 3339 in UTC with milliseconds: 2026-11-27T10:00:00.123Z.
bool is_utc_timestamp_with_milliseconds(std::string_view text);
// The instant such a timestamp names, or nothing when it is not one.
std::optional<std::chrono::system_clock::time_point> parse_utc_timestamp(std::string_view text);
// Whether a timestamp is within a minute of this machine's clock: the server runs here,
// so a timestamp in local time or in the wrong unit is caught.
bool is_recent_timestamp(std::string_view text);

// A JSON string of nested arrays `depth` levels deep, e.g. depth 2 is [[1]].
std::string nested_arrays(std::size_t depth);

}  // namespace settle::integration
