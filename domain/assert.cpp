// Reports a broken invariant and stops the process before it can corrupt money.
#include "domain/assert.hpp"

#include "domain/log.hpp"

#include <cstdlib>
#include <string>

namespace settle::detail {

void assertion_failed(const char* expression, const char* file, int line) {
  const auto at = std::string{file} + ":" + std::to_string(line);
  log_line(log_level::error, "assertion failed", {{"expression", expression}, {"at", at}});
  std::abort();
}

} // namespace settle::detail
