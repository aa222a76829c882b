// Tests wall-clock milliseconds, their RFC 3339 form and the strictly increasing ordinals.
#include "domain/clock.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <string>

namespace {

std::int64_t system_milliseconds() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

constexpr std::int64_t ordinals_per_millisecond = 4096;

} // namespace

TEST_CASE("now_milliseconds is the system clock in milliseconds since the epoch", "[clock]") {
  const std::int64_t before = system_milliseconds();
  const std::int64_t now = settle::now_milliseconds();
  const std::int64_t after = system_milliseconds();
  CHECK(before <= now);
  CHECK(now <= after);
  // 2020-01-01T00:00:00Z, so seconds or microseconds would not pass.
  CHECK(now > 1'577'836'800'000);
  CHECK(now < 4'102'444'800'000); // 2100-01-01T00:00:00Z
}

TEST_CASE("format_timestamp writes the epoch as RFC 3339 UTC with milliseconds", "[clock]") {
  CHECK(settle::format_timestamp(0) == "1970-01-01T00:00:00.000Z");
  CHECK(settle::format_timestamp(1) == "1970-01-01T00:00:00.001Z");
  CHECK(settle::format_timestamp(999) == "1970-01-01T00:00:00.999Z");
  CHECK(settle::format_timestamp(1'000) == "1970-01-01T00:00:01.000Z");
}

TEST_CASE("format_timestamp writes known dates with their milliseconds", "[clock]") {
  // Seconds since the epoch computed with `date -u -d '2026-11-27 10:00:00' +%s` etc.
  CHECK(settle::format_timestamp(1'795'773'600'123) == "2026-11-27T10:00:00.123Z");
  CHECK(settle::format_timestamp(1'709'251'199'999) == "2024-02-29T23:59:59.999Z");
  CHECK(settle::format_timestamp(946'684'799'999) == "1999-12-31T23:59:59.999Z");
  CHECK(settle::format_timestamp(946'684'800'001) == "2000-01-01T00:00:00.001Z");
  CHECK(settle::format_timestamp(2'147'483'648'000) == "2038-01-19T03:14:08.000Z");
}

TEST_CASE("format_timestamp writes times before the epoch", "[clock]") {
  // The milliseconds of a negative time are still 0..999 of the earlier second.
  CHECK(settle::format_timestamp(-1) == "1969-12-31T23:59:59.999Z");
  CHECK(settle::format_timestamp(-1'000) == "1969-12-31T23:59:59.000Z");
  CHECK(settle::format_timestamp(-1'001) == "1969-12-31T23:59:58.999Z");
}

TEST_CASE("format_timestamp writes the last time of four-digit years and the first after",
          "[clock]") {
  // `date -u -d '9999-12-31 23:59:59' +%s` is 253402300799.
  CHECK(settle::format_timestamp(253'402'300'799'999) == "9999-12-31T23:59:59.999Z");
  CHECK(settle::format_timestamp(253'402'300'800'000) == "10000-01-01T00:00:00.000Z");
}

TEST_CASE("ordinal_clock issues strictly increasing ordinals over 100000 calls", "[clock]") {
  settle::ordinal_clock clock;
  std::int64_t previous = clock.next();
  std::int64_t decreases = 0;
  for (int i = 0; i < 100'000; ++i) {
    const std::int64_t current = clock.next();
    if (current <= previous) {
      ++decreases;
    }
    previous = current;
  }
  CHECK(decreases == 0);
}

TEST_CASE("ordinal_clock ordinals are the milliseconds times 4096 plus a counter", "[clock]") {
  settle::ordinal_clock clock;
  const std::int64_t before = system_milliseconds();
  const std::int64_t ordinal = clock.next();
  const std::int64_t after = system_milliseconds();
  CHECK(ordinal >= before * ordinals_per_millisecond);
  CHECK(ordinal < (after + 1) * ordinals_per_millisecond);
}

TEST_CASE("ordinal_clock never issues an ordinal at or below the one it starts from",
          "[clock]") {
  const std::int64_t far_future = (system_milliseconds() + 3'600'000) * ordinals_per_millisecond;
  settle::ordinal_clock clock{far_future};
  CHECK(clock.next() == far_future + 1);
  CHECK(clock.next() == far_future + 2);
}

TEST_CASE("ordinal_clock continues after an observed ordinal that is ahead of it", "[clock]") {
  settle::ordinal_clock clock;
  const std::int64_t issued = clock.next();
  const std::int64_t observed = issued + 1'000'000 * ordinals_per_millisecond;
  clock.observe(observed);
  CHECK(clock.next() == observed + 1);
  CHECK(clock.next() == observed + 2);
}

TEST_CASE("ordinal_clock ignores an observed ordinal that is behind it", "[clock]") {
  const std::int64_t far_future = (system_milliseconds() + 3'600'000) * ordinals_per_millisecond;
  settle::ordinal_clock clock{far_future};
  clock.observe(far_future - 10);
  clock.observe(0);
  clock.observe(far_future);
  CHECK(clock.next() == far_future + 1);
}

TEST_CASE("ordinal_clock with a slot issues only ordinals of that slot, still increasing",
          "[clock]") {
  settle::ordinal_clock clock{0, 5};
  std::int64_t previous = 0;
  for (int i = 0; i < 10000; ++i) {
    auto ordinal = clock.next();
    REQUIRE(ordinal % settle::ordinal_clock::slots == 5);
    REQUIRE(ordinal > previous);
    previous = ordinal;
  }
}
