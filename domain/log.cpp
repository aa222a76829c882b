#include "domain/log.hpp"

#include "domain/clock.hpp"
#include "domain/json_writer.hpp"

#include <cstdio>

namespace settle {
namespace {

std::string_view name_of(log_level level) {
  switch (level) {
    case log_level::info:
      return "info";
    case log_level::warning:
      return "warning";
    case log_level::error:
      return "error";
  }
  return "error";
}

} // namespace

void log_line(log_level level, std::string_view message, log_fields fields) {
  json_object_writer line;
  line.text("time", format_timestamp(now_milliseconds()))
    .text("level", name_of(level))
    .text("message", message);
  for (const auto& [name, value] : fields) {
    line.text(name, value);
  }
  auto text = line.finish();
  text += '\n';
  std::fwrite(text.data(), 1, text.size(), stderr);
  std::fflush(stderr);
}

} // namespace settle
