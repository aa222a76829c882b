// A JSON object written member by member straight into its text, without a DOM: for the
// objects rendered on every request and every commit (an account on each GET and in each
// account.updated event, a transfer in each answer and transfer.settled event). The output
// is byte for byte what boost::json::serialize gives for the same object.
#pragma once

#include "domain/ids.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace settle {

// Appends `text` as a JSON string: quoted, with '"', '\' and control characters escaped.
void append_json_string(std::string& out, std::string_view text);

class json_object_writer {
public:
  json_object_writer& text(std::string_view key, std::string_view value);
  json_object_writer& nullable_text(std::string_view key, std::string_view value); // null if empty
  // An id is written as its text.
  template <class Tag>
  json_object_writer& text(std::string_view key, const strong_id<Tag>& id) {
    return text(key, id.value);
  }
  template <class Tag>
  json_object_writer& nullable_text(std::string_view key, const strong_id<Tag>& id) {
    return nullable_text(key, id.value);
  }
  json_object_writer& integer(std::string_view key, std::int64_t value);
  json_object_writer& null(std::string_view key);

  // The object's text, closed; the writer is spent.
  std::string finish();

private:
  void key(std::string_view name);

  std::string out_ = "{";
};

} // namespace settle
