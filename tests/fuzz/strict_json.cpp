// Request bodies: the strict JSON parser. What it accepts keeps its promises: no object
// with a duplicate key, at most maximum_json_depth levels of nesting; a refusal always
// says why.
#include "net/strict_json.hpp"

#include <boost/json.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>

namespace {

// True when `value` and everything in it keep the promises, `depth` levels down.
bool keeps_promises(const boost::json::value& value, std::size_t depth) {
  if (value.is_array()) {
    if (depth >= settle::net::maximum_json_depth) {
      return false;
    }
    for (const auto& item : value.as_array()) {
      if (!keeps_promises(item, depth + 1)) {
        return false;
      }
    }
  } else if (value.is_object()) {
    if (depth >= settle::net::maximum_json_depth) {
      return false;
    }
    std::set<std::string> keys;
    for (const auto& member : value.as_object()) {
      if (!keys.insert(std::string{member.key()}).second
          || !keeps_promises(member.value(), depth + 1)) {
        return false;
      }
    }
  }
  return true;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string why;
  auto value = settle::net::parse_strict_json({reinterpret_cast<const char*>(data), size}, why);
  if (value ? !keeps_promises(*value, 0) : why.empty()) {
    std::abort();
  }
  return 0;
}
