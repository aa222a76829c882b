// Tests the checked arithmetic on minor units and the range of a valid amount (1 to 10^15).
#include "domain/money.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>

namespace {

constexpr std::int64_t largest = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t smallest = std::numeric_limits<std::int64_t>::min();

} // namespace

TEST_CASE("maximum_amount is 10^15 minor units, as the API contract states", "[money]") {
  std::int64_t ten_to_the_fifteenth = 1;
  for (int power = 0; power < 15; ++power) {
    ten_to_the_fifteenth *= 10;
  }
  CHECK(settle::maximum_amount == ten_to_the_fifteenth);
}

TEST_CASE("checked_add returns the sum when it fits in 64 bits", "[money]") {
  auto small_sum = settle::checked_add(2, 3);
  REQUIRE(small_sum.has_value());
  CHECK(*small_sum == 5);

  auto negative_sum = settle::checked_add(-7, 3);
  REQUIRE(negative_sum.has_value());
  CHECK(*negative_sum == -4);

  auto up_to_largest = settle::checked_add(largest - 1, 1);
  REQUIRE(up_to_largest.has_value());
  CHECK(*up_to_largest == largest);

  auto down_to_smallest = settle::checked_add(smallest + 1, -1);
  REQUIRE(down_to_smallest.has_value());
  CHECK(*down_to_smallest == smallest);

  auto extremes_cancel = settle::checked_add(largest, smallest);
  REQUIRE(extremes_cancel.has_value());
  CHECK(*extremes_cancel == -1);

  auto largest_plus_zero = settle::checked_add(largest, 0);
  REQUIRE(largest_plus_zero.has_value());
  CHECK(*largest_plus_zero == largest);
}

TEST_CASE("checked_add reports an overflow past INT64_MAX instead of wrapping", "[money]") {
  CHECK_FALSE(settle::checked_add(largest, 1).has_value());
  CHECK_FALSE(settle::checked_add(1, largest).has_value());
  CHECK_FALSE(settle::checked_add(largest, largest).has_value());
  CHECK_FALSE(settle::checked_add(largest - settle::maximum_amount + 1, settle::maximum_amount)
                .has_value());
}

TEST_CASE("checked_add reports an overflow past INT64_MIN instead of wrapping", "[money]") {
  CHECK_FALSE(settle::checked_add(smallest, -1).has_value());
  CHECK_FALSE(settle::checked_add(-1, smallest).has_value());
  CHECK_FALSE(settle::checked_add(smallest, smallest).has_value());
}

TEST_CASE("checked_subtract returns the difference when it fits in 64 bits", "[money]") {
  auto small_difference = settle::checked_subtract(5, 3);
  REQUIRE(small_difference.has_value());
  CHECK(*small_difference == 2);

  auto below_zero = settle::checked_subtract(3, 5);
  REQUIRE(below_zero.has_value());
  CHECK(*below_zero == -2);

  auto down_to_smallest = settle::checked_subtract(smallest + 1, 1);
  REQUIRE(down_to_smallest.has_value());
  CHECK(*down_to_smallest == smallest);

  auto up_to_largest = settle::checked_subtract(largest - 1, -1);
  REQUIRE(up_to_largest.has_value());
  CHECK(*up_to_largest == largest);

  auto minus_one_minus_smallest = settle::checked_subtract(-1, smallest);
  REQUIRE(minus_one_minus_smallest.has_value());
  CHECK(*minus_one_minus_smallest == largest);

  auto zero_minus_largest = settle::checked_subtract(0, largest);
  REQUIRE(zero_minus_largest.has_value());
  CHECK(*zero_minus_largest == smallest + 1);

  auto smallest_minus_zero = settle::checked_subtract(smallest, 0);
  REQUIRE(smallest_minus_zero.has_value());
  CHECK(*smallest_minus_zero == smallest);
}

TEST_CASE("checked_subtract reports an overflow past INT64_MIN instead of wrapping",
          "[money]") {
  CHECK_FALSE(settle::checked_subtract(smallest, 1).has_value());
  CHECK_FALSE(settle::checked_subtract(smallest, largest).has_value());
  CHECK_FALSE(settle::checked_subtract(-2, largest).has_value());
}

TEST_CASE("checked_subtract reports an overflow past INT64_MAX instead of wrapping",
          "[money]") {
  CHECK_FALSE(settle::checked_subtract(largest, -1).has_value());
  CHECK_FALSE(settle::checked_subtract(0, smallest).has_value());
  CHECK_FALSE(settle::checked_subtract(largest, smallest).has_value());
}

TEST_CASE("is_valid_amount accepts exactly 1 to 10^15", "[money]") {
  CHECK(settle::is_valid_amount(1));
  CHECK(settle::is_valid_amount(2));
  CHECK(settle::is_valid_amount(12'345));
  CHECK(settle::is_valid_amount(settle::maximum_amount - 1));
  CHECK(settle::is_valid_amount(1'000'000'000'000'000));

  CHECK_FALSE(settle::is_valid_amount(0));
  CHECK_FALSE(settle::is_valid_amount(-1));
  CHECK_FALSE(settle::is_valid_amount(-1'000'000'000'000'000));
  CHECK_FALSE(settle::is_valid_amount(1'000'000'000'000'001));
  CHECK_FALSE(settle::is_valid_amount(largest));
  CHECK_FALSE(settle::is_valid_amount(smallest));
}
