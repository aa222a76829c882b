// Runs a piece of a test in a forked child process, so that a test can observe that
// the code under test aborts (SETTLE_ASSERT) without taking the test runner down.
#pragma once

#include <chrono>
#include <functional>
#include <string>

namespace settle::testing {

// Forks, runs `body` in the child and exits with what it returns. Answers how the
// child ended: "exit 0", "exit 3", "signal 6", or "timeout" (the child is then killed).
// Call it while the test process runs no other thread (no actor system alive).
std::string run_in_child_process(const std::function<int()>& body,
                                 std::chrono::seconds timeout = std::chrono::seconds{60});

} // namespace settle::testing
