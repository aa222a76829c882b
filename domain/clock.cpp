// Time formatting and ordinal issue.
#include "domain/clock.hpp"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>

namespace settle {

namespace {

std::atomic<time_source> installed_time_source{nullptr};

} // namespace

std::int64_t now_milliseconds() noexcept {
  if (auto source = installed_time_source.load(std::memory_order_relaxed)) {
    return source();
  }
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

void use_time_source(time_source source) noexcept {
  installed_time_source.store(source, std::memory_order_relaxed);
}

std::string format_timestamp(std::int64_t milliseconds_since_epoch) {
  // Floor division, so times before 1970 format correctly too.
  std::int64_t whole_seconds = milliseconds_since_epoch / 1000;
  std::int64_t remainder = milliseconds_since_epoch % 1000;
  if (remainder < 0) {
    whole_seconds -= 1;
    remainder += 1000;
  }
  std::time_t seconds = static_cast<std::time_t>(whole_seconds);
  int milliseconds = static_cast<int>(remainder);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[96];
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
                utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min,
                utc.tm_sec, milliseconds);
  return buffer;
}

std::int64_t ordinal_clock::next() noexcept {
  std::int64_t candidate = now_milliseconds() * 4096;
  candidate = candidate > last_ ? candidate : last_ + 1;
  if (slot_ >= 0) {
    // The next value at or above the candidate that belongs to this clock's slot.
    candidate += ((slot_ - candidate % slots) % slots + slots) % slots;
  }
  last_ = candidate;
  return last_;
}

void ordinal_clock::observe(std::int64_t ordinal) noexcept {
  if (ordinal > last_) {
    last_ = ordinal;
  }
}

} // namespace settle
