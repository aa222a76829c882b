// Field reading with the API's error codes.
#include "net/field_reader.hpp"

#include <algorithm>
#include <limits>

namespace settle::net {

field_reader::field_reader(const boost::json::object& object,
                           std::initializer_list<std::string_view> known)
  : object_(object) {
  for (const auto& field : object_) {
    std::string_view key{field.key().data(), field.key().size()};
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      fail(make_failure(settle_errc::unknown_parameter,
                        "unknown field: " + std::string{key}, std::string{key}));
      return;
    }
  }
}

bool field_reader::has(std::string_view name) const {
  return object_.contains(boost::json::string_view{name.data(), name.size()});
}

void field_reader::fail(failure reason) {
  if (!failure_) {
    failure_ = std::move(reason);
  }
}

const boost::json::value* field_reader::find(std::string_view name, bool required) {
  auto found = object_.find(boost::json::string_view{name.data(), name.size()});
  if (found == object_.end()) {
    if (required) {
      fail(make_failure(settle_errc::missing_parameter,
                        "missing required field: " + std::string{name}, std::string{name}));
    }
    return nullptr;
  }
  return &found->value();
}

std::string field_reader::text(std::string_view name, bool required) {
  const auto* value = find(name, required);
  if (value == nullptr) {
    return {};
  }
  if (!value->is_string()) {
    fail(make_failure(settle_errc::invalid_parameter, std::string{name} + " must be a string",
                      std::string{name}));
    return {};
  }
  const auto& text = value->get_string();
  return std::string{text.data(), text.size()};
}

std::int64_t field_reader::integer(std::string_view name, bool required, std::int64_t fallback) {
  const auto* value = find(name, required);
  if (value == nullptr) {
    return fallback;
  }
  if (value->is_int64()) {
    return value->get_int64();
  }
  if (value->is_uint64() && value->get_uint64() <= std::numeric_limits<std::int64_t>::max()) {
    return static_cast<std::int64_t>(value->get_uint64());
  }
  fail(make_failure(settle_errc::invalid_parameter, std::string{name} + " must be an integer",
                    std::string{name}));
  return fallback;
}

bool field_reader::boolean(std::string_view name, bool required, bool fallback) {
  const auto* value = find(name, required);
  if (value == nullptr) {
    return fallback;
  }
  if (!value->is_bool()) {
    fail(make_failure(settle_errc::invalid_parameter, std::string{name} + " must be true or false",
                      std::string{name}));
    return fallback;
  }
  return value->get_bool();
}

const boost::json::array* field_reader::array(std::string_view name, bool required) {
  const auto* value = find(name, required);
  if (value == nullptr) {
    return nullptr;
  }
  if (!value->is_array()) {
    fail(make_failure(settle_errc::invalid_parameter, std::string{name} + " must be an array",
                      std::string{name}));
    return nullptr;
  }
  return &value->get_array();
}

} // namespace settle::net
