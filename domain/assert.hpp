// Always-on invariant checks. SETTLE_ASSERT guards invariants that must hold in
// production too (it aborts with file and line); SETTLE_DEBUG_ASSERT is for checks
// too expensive to run outside debug builds. Never assert on request data.
#pragma once

namespace settle::detail {
[[noreturn]] void assertion_failed(const char* expression, const char* file, int line);
} // namespace settle::detail

#define SETTLE_ASSERT(expression)                                                    \
  ((expression) ? static_cast<void>(0)                                                \
                : ::settle::detail::assertion_failed(#expression, __FILE__, __LINE__))

#ifdef NDEBUG
#define SETTLE_DEBUG_ASSERT(expression) static_cast<void>(0)
#else
#define SETTLE_DEBUG_ASSERT(expression) SETTLE_ASSERT(expression)
#endif
