// fork/exec of `settled` with its standard output on a pipe: a reader thread copies the
// output to the log and spots the line that announces the port.
#include "tests/integration/harness/settled_process.hpp"

#include "tests/integration/harness/server_logs.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <optional>
#include <regex>
#include <stdexcept>
#include <vector>

namespace settle::integration {

namespace {

constexpr auto startup_limit = std::chrono::seconds(30);
constexpr std::size_t log_lines_in_errors = 60;

int open_or_throw(const std::string& path, int flags) {
  const int descriptor = ::open(path.c_str(), flags | O_CLOEXEC, 0644);
  if (descriptor < 0) {
    throw std::runtime_error("cannot open " + path + ": " + std::strerror(errno));
  }
  return descriptor;
}

void write_all(int descriptor, const char* data, std::size_t size) {
  while (size > 0) {
    const auto written = ::write(descriptor, data, size);
    if (written <= 0) {
      if (written < 0 && errno == EINTR) {
        continue;
      }
      return;
    }
    data += written;
    size -= static_cast<std::size_t>(written);
  }
}

}  // namespace

struct process_startup {
  std::mutex mutex;
  std::condition_variable changed;
  std::optional<std::uint16_t> port;
  bool output_closed = false;
};

namespace {

// `settled <node-id> listening on http://HOST:PORT`, the contract's readiness line.
std::optional<std::uint16_t> port_from_line(const std::string& line, const std::string& node_id) {
  static const std::regex pattern(R"(^settled (\S+) listening on http://([^\s:/]+):(\d+)/?\s*$)");
  std::smatch match;
  if (!std::regex_match(line, match, pattern) || match[1] != node_id) {
    return std::nullopt;
  }
  return static_cast<std::uint16_t>(std::stoul(match[3]));
}

void read_output(int pipe_descriptor, int log_descriptor, std::string node_id,
                 const std::shared_ptr<process_startup>& state);

}  // namespace

settled_process::settled_process(process_options options) : options_(std::move(options)) {
  follow_server_log(options_.log_path);
  try {
    start();
  } catch (...) {
    stop_following_server_log(options_.log_path);
    throw;
  }
}

settled_process::~settled_process() {
  if (pid_ > 0) {
    kill();
  }
  if (output_reader_.joinable()) {
    output_reader_.join();
  }
  stop_following_server_log(options_.log_path);
}

void settled_process::start() {
  if (pid_ > 0) {
    throw std::logic_error("settled is already running");
  }
  launch();
  try {
    wait_until_ready();
  } catch (...) {
    if (pid_ > 0) {
      kill();
    }
    throw;
  }
}

void settled_process::launch() {
  if (output_reader_.joinable()) {
    output_reader_.join();
  }
  std::vector<std::string> arguments = {
      options_.binary, "--http.listen=" + options_.http_listen, "--storage.url=" + options_.storage_url,
      "--auth.keys-file=" + options_.keys_file, "--cluster.node-id=" + options_.node_id};
  arguments.insert(arguments.end(), options_.extra_arguments.begin(), options_.extra_arguments.end());

  int output_pipe[2];
  if (::pipe2(output_pipe, O_CLOEXEC) != 0) {
    throw std::runtime_error(std::string("pipe2: ") + std::strerror(errno));
  }
  const int log_descriptor = open_or_throw(options_.log_path, O_WRONLY | O_CREAT | O_APPEND);
  const int null_descriptor = open_or_throw("/dev/null", O_RDONLY);
  const std::string marker = "---- test harness: starting settled ----\n";
  write_all(log_descriptor, marker.data(), marker.size());

  const pid_t child = spawn_process(arguments, null_descriptor, output_pipe[1], log_descriptor);
  ::close(output_pipe[1]);
  ::close(null_descriptor);
  pid_ = child;
  port_ = 0;
  startup_ = std::make_shared<process_startup>();
  output_reader_ = std::thread(read_output, output_pipe[0], log_descriptor, options_.node_id, startup_);
}

namespace {

void read_output(int pipe_descriptor, int log_descriptor, std::string node_id,
                 const std::shared_ptr<process_startup>& state) {
  std::string pending;
  char chunk[4096];
  for (;;) {
    const auto received = ::read(pipe_descriptor, chunk, sizeof chunk);
    if (received < 0 && errno == EINTR) {
      continue;
    }
    if (received <= 0) {
      break;
    }
    write_all(log_descriptor, chunk, static_cast<std::size_t>(received));
    pending.append(chunk, static_cast<std::size_t>(received));
    for (auto end = pending.find('\n'); end != std::string::npos; end = pending.find('\n')) {
      const auto port = port_from_line(pending.substr(0, end), node_id);
      pending.erase(0, end + 1);
      if (port) {
        std::lock_guard lock(state->mutex);
        state->port = port;
        state->changed.notify_all();
      }
    }
  }
  ::close(pipe_descriptor);
  ::close(log_descriptor);
  std::lock_guard lock(state->mutex);
  state->output_closed = true;
  state->changed.notify_all();
}

}  // namespace

void settled_process::wait_until_ready() {
  std::unique_lock lock(startup_->mutex);
  startup_->changed.wait_for(lock, startup_limit, [this] { return startup_->port || startup_->output_closed; });
  if (startup_->port) {
    port_ = *startup_->port;
    return;
  }
  const bool output_closed = startup_->output_closed;
  lock.unlock();
  std::string reason = "it printed no 'listening on' line within 30 s";
  if (output_closed) {
    const auto status = wait_for_child(pid_, std::chrono::seconds(2));
    reason = "it closed its standard output without the 'listening on' line";
    if (!status.timed_out) {
      forget_child(status);
      reason += " and " + status.describe();
    }
  }
  throw std::runtime_error("settled did not start: " + reason + "\n---- log tail ----\n" +
                           tail_of_file(options_.log_path, log_lines_in_errors));
}

bool settled_process::running() {
  if (pid_ <= 0) {
    return false;
  }
  const auto status = wait_for_child(pid_, std::chrono::seconds(0));
  if (!status.timed_out) {
    forget_child(status);
    return false;
  }
  return true;
}

void settled_process::send_signal(int signal) {
  if (pid_ <= 0) {
    throw std::logic_error("settled is not running");
  }
  if (::kill(pid_, signal) != 0) {
    throw std::runtime_error(std::string("kill: ") + std::strerror(errno));
  }
}

exit_status settled_process::stop(std::chrono::seconds grace) {
  if (pid_ <= 0) {
    throw std::logic_error("settled is not running");
  }
  ::kill(pid_, SIGTERM);
  auto status = wait_for_child(pid_, grace);
  if (status.timed_out) {
    auto killed = kill();
    killed.timed_out = true;
    return killed;
  }
  forget_child(status);
  return status;
}

exit_status settled_process::kill() {
  if (pid_ <= 0) {
    throw std::logic_error("settled is not running");
  }
  const auto status = kill_child(pid_);
  forget_child(status);
  return status;
}

void settled_process::forget_child(exit_status status) {
  pid_ = -1;
  port_ = 0;
  // The reader sees the end of the pipe once the child is gone.
  if (output_reader_.joinable()) {
    output_reader_.join();
  }
  const std::string marker = "---- test harness: settled " + status.describe() + " ----\n";
  const int log_descriptor = ::open(options_.log_path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  if (log_descriptor >= 0) {
    write_all(log_descriptor, marker.data(), marker.size());
    ::close(log_descriptor);
  }
}

}  // namespace settle::integration
