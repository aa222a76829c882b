// Starting, waiting for and killing the child processes of the tests: `settled` nodes and
// the nginx in front of a cluster.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace settle::integration {

struct exit_status {
  bool exited = false; // false: killed by a signal
  int code = 0;
  int signal = 0;
  bool timed_out = false; // did not end within the grace period and was killed

  bool clean() const { return exited && code == 0 && !timed_out; }
  std::string describe() const;
};

// fork and execv of arguments[0] with these descriptors as its standard input, output and
// error. The child is killed when the test process dies, so that a crashed test leaves no
// server behind. When execv fails the child says so on `error` and exits with 127.
pid_t spawn_process(const std::vector<std::string>& arguments, int input, int output, int error);

// Waits up to `limit` for the child to end; `timed_out` when it is still running.
exit_status wait_for_child(pid_t pid, std::chrono::steady_clock::duration limit);

// kill -9, and waits for the child to end (a stopped child ends too).
exit_status kill_child(pid_t pid);

// A child that ran until it exited by itself, and what it wrote (output and error).
struct finished_run {
  exit_status status;
  std::string log;
};

// Runs `arguments` with no input until it exits (killed after `limit`), its output and
// error going to `log_path`.
finished_run run_to_exit(const std::vector<std::string>& arguments, const std::string& log_path,
                         std::chrono::steady_clock::duration limit);

} // namespace settle::integration
