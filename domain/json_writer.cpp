// Escapes as boost::json's serializer does: the short forms \b \f \n \r \t, \u00XX (lower
// case hex) for the other control characters, and every other byte as it is (text from
// clients is valid UTF-8 once strict_json has read it).
#include "domain/json_writer.hpp"

#include "domain/escaping.hpp"

namespace settle {
namespace {

bool needs_escape(char c) noexcept {
  return c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20;
}

void append_escape(std::string& out, char c) {
  switch (c) {
  case '"':
    out += "\\\"";
    return;
  case '\\':
    out += "\\\\";
    return;
  case '\b':
    out += "\\b";
    return;
  case '\f':
    out += "\\f";
    return;
  case '\n':
    out += "\\n";
    return;
  case '\r':
    out += "\\r";
    return;
  case '\t':
    out += "\\t";
    return;
  default:
    break;
  }
  constexpr std::string_view hex = "0123456789abcdef";
  auto code = static_cast<unsigned char>(c);
  out += "\\u00";
  out += hex[code >> 4];
  out += hex[code & 0x0f];
}

} // namespace

void append_json_string(std::string& out, std::string_view text) {
  out += '"';
  append_escaped(out, text, needs_escape, append_escape);
  out += '"';
}

void json_object_writer::key(std::string_view name) {
  if (out_.size() > 1) {
    out_ += ',';
  }
  append_json_string(out_, name);
  out_ += ':';
}

json_object_writer& json_object_writer::text(std::string_view key_name, std::string_view value) {
  key(key_name);
  append_json_string(out_, value);
  return *this;
}

json_object_writer& json_object_writer::nullable_text(std::string_view key_name,
                                                      std::string_view value) {
  return value.empty() ? null(key_name) : text(key_name, value);
}

json_object_writer& json_object_writer::integer(std::string_view key_name, std::int64_t value) {
  key(key_name);
  out_ += std::to_string(value);
  return *this;
}

json_object_writer& json_object_writer::null(std::string_view key_name) {
  key(key_name);
  out_ += "null";
  return *this;
}

std::string json_object_writer::finish() {
  out_ += '}';
  return std::move(out_);
}

} // namespace settle
