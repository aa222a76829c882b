// Keeps, for every live server log, the offset at which the running test started, and
// prints from there when the test fails.
#include "tests/integration/harness/server_logs.hpp"

#include <deque>
#include <exception>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <sstream>

namespace settle::integration {

namespace {

// Enough to see the server's last steps without drowning the test report.
constexpr std::size_t printed_lines = 120;

struct log_registry {
  std::mutex mutex;
  std::map<std::string, std::streamoff> offsets_at_test_start;
  bool test_failed = false;
};

// Never destroyed: the shared server is a function-local static too, and its destructor
// may run after this one would have.
log_registry& registry() {
  static auto* instance = new log_registry;
  return *instance;
}

std::streamoff size_of(const std::string& path) {
  std::ifstream file(path, std::ios::binary | std::ios::ate);
  return file ? static_cast<std::streamoff>(file.tellg()) : 0;
}

std::string last_lines(std::istream& input, std::size_t max_lines) {
  std::deque<std::string> lines;
  std::string line;
  while (std::getline(input, line)) {
    lines.push_back(line);
    if (lines.size() > max_lines) {
      lines.pop_front();
    }
  }
  std::string text;
  for (const auto& kept : lines) {
    text += kept + "\n";
  }
  return text;
}

void print_since(const std::string& path, std::streamoff offset) {
  std::ifstream file(path, std::ios::binary);
  file.seekg(offset);
  std::cerr << "---- settled log " << path << " (since the test started, last " << printed_lines
            << " lines) ----\n"
            << last_lines(file, printed_lines) << "---- end of settled log ----\n";
}

}  // namespace

void note_test_started() {
  auto& logs = registry();
  std::lock_guard lock(logs.mutex);
  logs.test_failed = false;
  for (auto& [path, offset] : logs.offsets_at_test_start) {
    offset = size_of(path);
  }
}

void note_assertion_failed() {
  auto& logs = registry();
  std::lock_guard lock(logs.mutex);
  logs.test_failed = true;
}

void note_test_ended(bool failed) {
  auto& logs = registry();
  std::lock_guard lock(logs.mutex);
  if (failed) {
    for (const auto& [path, offset] : logs.offsets_at_test_start) {
      print_since(path, offset);
    }
  }
}

bool current_test_failed() {
  auto& logs = registry();
  std::lock_guard lock(logs.mutex);
  return logs.test_failed || std::uncaught_exceptions() > 0;
}

void follow_server_log(const std::string& path) {
  auto& logs = registry();
  std::lock_guard lock(logs.mutex);
  logs.offsets_at_test_start.emplace(path, size_of(path));
}

void stop_following_server_log(const std::string& path) {
  const bool failed = current_test_failed();
  auto& logs = registry();
  std::lock_guard lock(logs.mutex);
  const auto found = logs.offsets_at_test_start.find(path);
  if (found == logs.offsets_at_test_start.end()) {
    return;
  }
  // The log file goes away with the server's folder, before the listener hears that
  // the test ended, so a failing test's log is printed now.
  if (failed) {
    print_since(path, found->second);
  }
  logs.offsets_at_test_start.erase(found);
}

std::string tail_of_file(const std::string& path, std::size_t max_lines) {
  std::ifstream file(path, std::ios::binary);
  return last_lines(file, max_lines);
}

}  // namespace settle::integration
