// Reads the fields of a request's JSON object with the API's rules: a field the
// endpoint does not define is `422 unknown_parameter`, a missing required one
// `422 missing_parameter`, one of the wrong type `422 invalid_parameter`. The first
// failure is kept; reading goes on harmlessly after it.
#pragma once

#include "domain/errc.hpp"

#include <boost/json/object.hpp>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

namespace settle::net {

class field_reader {
public:
  field_reader(const boost::json::object& object, std::initializer_list<std::string_view> known);

  bool has(std::string_view name) const;
  std::string text(std::string_view name, bool required);
  std::int64_t integer(std::string_view name, bool required, std::int64_t fallback = 0);
  bool boolean(std::string_view name, bool required, bool fallback = false);
  const boost::json::array* array(std::string_view name, bool required);

  // Records `reason` unless an earlier failure is already recorded.
  void fail(failure reason);
  const std::optional<failure>& failed() const { return failure_; }

private:
  const boost::json::value* find(std::string_view name, bool required);

  const boost::json::object& object_;
  std::optional<failure> failure_;
};

} // namespace settle::net
