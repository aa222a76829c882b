// nginx runs as a child in the foreground (`daemon off`), with everything it writes inside
// its own folder, so that nothing of the machine's nginx set-up is used or touched.
#include "tests/integration/harness/nginx_front.hpp"

#include "tests/integration/harness/child_process.hpp"
#include "tests/integration/harness/free_port.hpp"
#include "tests/integration/harness/http_client.hpp"
#include "tests/integration/harness/server_logs.hpp"
#include "tests/integration/harness/test_server.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#ifndef SETTLE_NGINX_TEMPLATE
#error "SETTLE_NGINX_TEMPLATE must name examples/cluster/nginx.conf.in (the CMake file defines it)"
#endif

namespace settle::integration {

namespace {

constexpr auto startup_limit = std::chrono::seconds(15);
constexpr auto stop_limit = std::chrono::seconds(10);

std::string nginx_binary() {
  const char* configured = std::getenv("SETTLE_TEST_NGINX");
  const std::string binary = configured && *configured ? configured : "/usr/sbin/nginx";
  if (!std::filesystem::exists(binary)) {
    throw std::runtime_error(
        "no nginx at " + binary +
        " (scripts/install-dependencies.sh installs nginx-light; SETTLE_TEST_NGINX names another)");
  }
  return binary;
}

std::string read_file(const std::string& path) {
  std::ifstream file(path);
  if (!file) {
    throw std::runtime_error("cannot read " + path);
  }
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

void replace_all(std::string& text, const std::string& placeholder, const std::string& value) {
  for (auto found = text.find(placeholder); found != std::string::npos;
       found = text.find(placeholder, found + value.size())) {
    text.replace(found, placeholder.size(), value);
  }
}

} // namespace

std::string nginx_configuration(const std::string& template_text, const std::string& directory,
                                const std::string& listen,
                                const std::vector<std::string>& node_addresses) {
  std::istringstream lines(template_text);
  std::string configuration;
  for (std::string line; std::getline(lines, line);) {
    if (line.find("@NODE@") == std::string::npos) {
      configuration += line + "\n";
      continue;
    }
    for (const auto& address : node_addresses) {
      auto copy = line;
      replace_all(copy, "@NODE@", address);
      configuration += copy + "\n";
    }
  }
  replace_all(configuration, "@DIRECTORY@", directory);
  replace_all(configuration, "@LISTEN@", listen);
  return configuration;
}

nginx_front::nginx_front(const std::vector<std::uint16_t>& node_ports)
    : directory_(make_temporary_directory())
    , port_(free_loopback_port()) {
  try {
    start(node_ports);
    wait_until_accepting();
  } catch (...) {
    stop();
    throw;
  }
}

void nginx_front::start(const std::vector<std::uint16_t>& node_ports) {
  const auto binary = nginx_binary();
  // nginx's workers drop root for `nobody`, and must still reach their temporary folders.
  std::filesystem::permissions(
      directory_, std::filesystem::perms::owner_all | std::filesystem::perms::group_read |
                      std::filesystem::perms::group_exec | std::filesystem::perms::others_read |
                      std::filesystem::perms::others_exec);
  std::vector<std::string> addresses;
  for (const auto port : node_ports) {
    addresses.push_back("127.0.0.1:" + std::to_string(port));
  }
  const auto configuration_path = directory_ + "/nginx.conf";
  std::ofstream(configuration_path)
      << nginx_configuration(read_file(SETTLE_NGINX_TEMPLATE), directory_,
                             "127.0.0.1:" + std::to_string(port_), addresses);
  const auto error_log = directory_ + "/error.log";
  follow_server_log(error_log);
  const int output = ::open(error_log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  const int input = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  pid_ = spawn_process({binary, "-p", directory_ + "/", "-c", configuration_path, "-e", error_log,
                        "-g", "daemon off;"},
                       input, output, output);
  ::close(output);
  ::close(input);
}

nginx_front::~nginx_front() {
  stop();
}

void nginx_front::wait_until_accepting() {
  const auto deadline = std::chrono::steady_clock::now() + startup_limit;
  http_client probe("127.0.0.1", port_, std::chrono::seconds(2));
  for (;;) {
    const auto status = wait_for_child(pid_, std::chrono::seconds(0));
    if (!status.timed_out) {
      pid_ = -1;
      throw std::runtime_error("nginx " + status.describe() + "\n---- nginx error log ----\n" +
                               tail_of_file(directory_ + "/error.log", 40));
    }
    try {
      probe.send(http_request{"GET", "/healthz", {}, "", 11});
      return;
    } catch (const http_error&) {
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      throw std::runtime_error(
          "nginx did not accept connections within 15 s\n---- nginx error log ----\n" +
          tail_of_file(directory_ + "/error.log", 40));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

void nginx_front::stop() {
  if (pid_ > 0) {
    // The fast shutdown: the test is over, and its clients are gone.
    ::kill(pid_, SIGTERM);
    if (wait_for_child(pid_, stop_limit).timed_out) {
      kill_child(pid_);
    }
    pid_ = -1;
  }
  stop_following_server_log(directory_ + "/error.log");
  std::error_code ignored;
  std::filesystem::remove_all(directory_, ignored);
}

} // namespace settle::integration
