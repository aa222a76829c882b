// Reports a broken invariant and stops the process before it can corrupt money.
#include "domain/assert.hpp"

#include <cstdio>
#include <cstdlib>

namespace settle::detail {

void assertion_failed(const char* expression, const char* file, int line) {
  std::fprintf(stderr, "settle: assertion failed: %s at %s:%d\n", expression, file, line);
  std::fflush(stderr);
  std::abort();
}

} // namespace settle::detail
