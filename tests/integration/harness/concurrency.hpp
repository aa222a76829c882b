// Running the same work on several threads that start together. Catch2's assertions are
// not thread-safe, so threads only collect results and the test checks them afterwards.
#pragma once

#include <cstddef>
#include <functional>

namespace settle::integration {

// Runs `body(thread_index)` on `count` threads released at the same moment, waits for all,
// and rethrows the first exception a thread threw.
void run_concurrently(std::size_t count, const std::function<void(std::size_t)>& body);

}  // namespace settle::integration
