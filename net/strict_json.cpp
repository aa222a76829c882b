// Boost.JSON's DOM keeps only one of two duplicate keys, so a first pass with a
// basic_parser handler looks at every key of every object and refuses repeats; the
// second pass builds the DOM.
#include "net/strict_json.hpp"

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/parse.hpp>

#include <set>
#include <vector>

namespace settle::net {
namespace {

namespace json = boost::json;

// Sees every key; nothing else is kept.
class duplicate_key_detector {
public:
  constexpr static std::size_t max_object_size = std::size_t(-1);
  constexpr static std::size_t max_array_size = std::size_t(-1);
  constexpr static std::size_t max_key_size = std::size_t(-1);
  constexpr static std::size_t max_string_size = std::size_t(-1);

  bool duplicate_found = false;

  bool on_document_begin(json::error_code&) { return true; }
  bool on_document_end(json::error_code&) { return true; }
  bool on_array_begin(json::error_code&) { return true; }
  bool on_array_end(std::size_t, json::error_code&) { return true; }
  bool on_object_begin(json::error_code&) {
    keys_.emplace_back();
    return true;
  }
  bool on_object_end(std::size_t, json::error_code&) {
    keys_.pop_back();
    return true;
  }
  bool on_string_part(json::string_view, std::size_t, json::error_code&) { return true; }
  bool on_string(json::string_view, std::size_t, json::error_code&) { return true; }
  bool on_key_part(json::string_view part, std::size_t, json::error_code&) {
    key_.append(part.data(), part.size());
    return true;
  }
  bool on_key(json::string_view part, std::size_t, json::error_code& ec) {
    key_.append(part.data(), part.size());
    bool inserted = keys_.back().insert(std::move(key_)).second;
    key_.clear();
    if (!inserted) {
      duplicate_found = true;
      ec = json::error::syntax;
      return false;
    }
    return true;
  }
  bool on_number_part(json::string_view, json::error_code&) { return true; }
  bool on_int64(std::int64_t, json::string_view, json::error_code&) { return true; }
  bool on_uint64(std::uint64_t, json::string_view, json::error_code&) { return true; }
  bool on_double(double, json::string_view, json::error_code&) { return true; }
  bool on_bool(bool, json::error_code&) { return true; }
  bool on_null(json::error_code&) { return true; }
  bool on_comment_part(json::string_view, json::error_code&) { return true; }
  bool on_comment(json::string_view, json::error_code&) { return true; }

private:
  std::vector<std::set<std::string>> keys_;
  std::string key_;
};

json::parse_options strict_options() {
  json::parse_options options;
  options.max_depth = maximum_json_depth;
  return options;
}

} // namespace

std::optional<json::value> parse_strict_json(std::string_view text, std::string& why) {
  json::basic_parser<duplicate_key_detector> checker{strict_options()};
  json::error_code ec;
  checker.write_some(false, text.data(), text.size(), ec);
  if (ec) {
    if (checker.handler().duplicate_found) {
      why = "the JSON body has a duplicate key";
    } else if (ec == json::error::too_deep) {
      why = "the JSON body is nested deeper than 32 levels";
    } else {
      why = "the body is not valid JSON";
    }
    return std::nullopt;
  }
  auto value = json::parse(json::string_view{text.data(), text.size()}, ec, {}, strict_options());
  if (ec) {
    why = "the body is not valid JSON";
    return std::nullopt;
  }
  return value;
}

} // namespace settle::net
