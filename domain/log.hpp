// The process's log: one JSON object per line on standard error, so that a collector reads
// fields rather than sentences:
//   {"time":"2026-12-06T08:30:00.123Z","level":"error","message":"…","request_id":"…"}
// Standard output keeps what a person or a script reads once: the ready line, a generated
// key, the verdict of --check-config.
#pragma once

#include <initializer_list>
#include <string_view>
#include <utility>

namespace settle {

enum class log_level { info, warning, error };

using log_fields = std::initializer_list<std::pair<std::string_view, std::string_view>>;

// Writes one line, whole (a single write, so lines of two threads never interleave).
void log_line(log_level level, std::string_view message, log_fields fields = {});

} // namespace settle
