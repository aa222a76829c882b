// Reads one series of the process's metrics (as /metrics renders them).
#pragma once

#include <cstdint>
#include <string>

namespace settle::testing {

// The value of `series` (a name with its labels, as rendered), 0 when absent.
std::int64_t metric_value(const std::string& series);

} // namespace settle::testing
