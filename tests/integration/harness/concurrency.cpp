// A start gate so that the threads' requests really overlap instead of trickling in as
// the threads are created.
#include "tests/integration/harness/concurrency.hpp"

#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace settle::integration {

namespace {

class start_gate {
 public:
  explicit start_gate(std::size_t expected) : waiting_for_(expected) {}

  void arrive_and_wait() {
    std::unique_lock lock(mutex_);
    if (--waiting_for_ == 0) {
      opened_.notify_all();
      return;
    }
    opened_.wait(lock, [this] { return waiting_for_ == 0; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable opened_;
  std::size_t waiting_for_;
};

}  // namespace

void run_concurrently(std::size_t count, const std::function<void(std::size_t)>& body) {
  start_gate gate(count);
  std::vector<std::exception_ptr> failures(count);
  std::vector<std::thread> threads;
  threads.reserve(count);
  for (std::size_t index = 0; index < count; ++index) {
    threads.emplace_back([&, index] {
      gate.arrive_and_wait();
      try {
        body(index);
      } catch (...) {
        failures[index] = std::current_exception();
      }
    });
  }
  for (auto& thread : threads) {
    thread.join();
  }
  for (const auto& failure : failures) {
    if (failure) {
      std::rethrow_exception(failure);
    }
  }
}

}  // namespace settle::integration
