// Only async-signal-safe calls run between fork and exec: other test threads may hold
// locks (the allocator's among them) at the moment of the fork.
#include "tests/integration/harness/child_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace settle::integration {

namespace {

exit_status status_from_wait(int raw_status) {
  exit_status status;
  if (WIFEXITED(raw_status)) {
    status.exited = true;
    status.code = WEXITSTATUS(raw_status);
  } else if (WIFSIGNALED(raw_status)) {
    status.signal = WTERMSIG(raw_status);
  }
  return status;
}

} // namespace

std::string exit_status::describe() const {
  std::string text = exited ? "exited with code " + std::to_string(code)
                            : "killed by signal " + std::to_string(signal);
  return timed_out ? text + " after not stopping in time" : text;
}

pid_t spawn_process(const std::vector<std::string>& arguments, int input, int output, int error) {
  // Built before the fork: the child must not allocate.
  std::vector<std::string> copies = arguments;
  std::vector<char*> argument_pointers;
  for (auto& argument : copies) {
    argument_pointers.push_back(argument.data());
  }
  argument_pointers.push_back(nullptr);

  const pid_t child = ::fork();
  if (child < 0) {
    throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  }
  if (child == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    ::dup2(input, STDIN_FILENO);
    ::dup2(output, STDOUT_FILENO);
    ::dup2(error, STDERR_FILENO);
    ::execv(argument_pointers[0], argument_pointers.data());
    static const char failure[] = "test harness: execv failed\n";
    [[maybe_unused]] const auto ignored = ::write(STDERR_FILENO, failure, sizeof failure - 1);
    ::_exit(127);
  }
  return child;
}

exit_status wait_for_child(pid_t pid, std::chrono::steady_clock::duration limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  for (;;) {
    int raw_status = 0;
    const auto waited = ::waitpid(pid, &raw_status, WNOHANG);
    if (waited == pid) {
      return status_from_wait(raw_status);
    }
    if (waited < 0 && errno != EINTR) {
      throw std::runtime_error(std::string("waitpid: ") + std::strerror(errno));
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      exit_status status;
      status.timed_out = true;
      return status;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

exit_status kill_child(pid_t pid) {
  ::kill(pid, SIGKILL);
  int raw_status = 0;
  while (::waitpid(pid, &raw_status, 0) < 0 && errno == EINTR) {
  }
  return status_from_wait(raw_status);
}

finished_run run_to_exit(const std::vector<std::string>& arguments, const std::string& log_path,
                         std::chrono::steady_clock::duration limit) {
  const int log = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  const int nothing = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (log < 0 || nothing < 0) {
    throw std::runtime_error{"cannot open " + log_path + " or /dev/null"};
  }
  const auto pid = spawn_process(arguments, nothing, log, log);
  ::close(log);
  ::close(nothing);
  auto status = wait_for_child(pid, limit);
  std::ifstream file(log_path);
  std::stringstream text;
  text << file.rdbuf();
  return finished_run{status, text.str()};
}

} // namespace settle::integration
