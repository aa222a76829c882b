// Waiting out another settled that has just stopped or died: what it held (a file lock, a
// PostgreSQL advisory lock) goes a moment after it is gone, not at once.
#pragma once

#include <chrono>
#include <thread>

namespace settle::persistence {

// Tries `attempt` at once, then every 100 ms until it succeeds or `patience` has passed.
// Blocking: call it on the main thread or a writer's own thread, never on a scheduler's.
template <class Attempt>
bool try_with_patience(std::chrono::milliseconds patience, Attempt attempt) {
  const auto deadline = std::chrono::steady_clock::now() + patience;
  while (!attempt()) {
    if (std::chrono::steady_clock::now() >= deadline) {
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds{100});
  }
  return true;
}

} // namespace settle::persistence
