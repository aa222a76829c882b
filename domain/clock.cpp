// Time formatting and ordinal issue.
#include "domain/clock.hpp"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <string>

namespace settle {

namespace {

std::atomic<time_source> installed_time_source{nullptr};

// `value` in `width` decimal digits at `position`, zero-padded (0 <= value < 10^width).
void write_digits(std::string& text, std::size_t position, std::size_t width, int value) {
  for (std::size_t digit = width; digit > 0; --digit) {
    text[position + digit - 1] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
}

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
  int year = utc.tm_year + 1900;
  if (year < 0 || year > 9999) { // outside RFC 3339; no time the server issues
    char buffer[96];
    std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", year,
                  utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                  milliseconds);
    return buffer;
  }
  // Written digit by digit: snprintf was a visible share of rendering a batch's answer.
  std::string text = "0000-00-00T00:00:00.000Z";
  write_digits(text, 0, 4, year);
  write_digits(text, 5, 2, utc.tm_mon + 1);
  write_digits(text, 8, 2, utc.tm_mday);
  write_digits(text, 11, 2, utc.tm_hour);
  write_digits(text, 14, 2, utc.tm_min);
  write_digits(text, 17, 2, utc.tm_sec);
  write_digits(text, 20, 3, milliseconds);
  return text;
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
