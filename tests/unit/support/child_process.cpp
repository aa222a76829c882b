// fork, then waitpid with a deadline. The child leaves with _exit so that nothing of
// the parent's state (Catch's reporters, temporary folders) is finished twice.
#include "tests/unit/support/child_process.hpp"

#include <csignal>
#include <cstdio>
#include <stdexcept>
#include <thread>

#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

namespace settle::testing {

std::string run_in_child_process(const std::function<int()>& body, std::chrono::seconds timeout) {
  std::fflush(nullptr);
  pid_t child = fork();
  if (child < 0) {
    throw std::runtime_error{"fork failed"};
  }
  if (child == 0) {
    int code = 99;
    try {
      code = body();
    } catch (...) {
      code = 98;
    }
    std::fflush(nullptr);
    _exit(code);
  }
  auto deadline = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  while (waitpid(child, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() >= deadline) {
      kill(child, SIGKILL);
      waitpid(child, &status, 0);
      return "timeout";
    }
    std::this_thread::sleep_for(std::chrono::milliseconds{20});
  }
  if (WIFSIGNALED(status)) {
    return "signal " + std::to_string(WTERMSIG(status));
  }
  return "exit " + std::to_string(WEXITSTATUS(status));
}

} // namespace settle::testing
