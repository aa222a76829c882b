// Tests the ISO 4217 table, the default accepted currencies and the world account names.
#include "domain/currency.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

TEST_CASE("find_currency knows the common codes with their minor-unit exponents", "[currency]") {
  struct expected_currency {
    const char* code;
    int exponent;
  };
  const std::vector<expected_currency> expected{
    {"USD", 2}, {"EUR", 2}, {"GBP", 2}, {"CNY", 2}, {"CHF", 2}, {"JPY", 0}, {"KRW", 0},
    {"BHD", 3}, {"KWD", 3}, {"OMR", 3}, {"JOD", 3}, {"TND", 3}, {"LYD", 3}, {"IQD", 3},
  };
  for (const auto& currency : expected) {
    INFO("currency " << currency.code);
    auto found = settle::find_currency(currency.code);
    REQUIRE(found.has_value());
    CHECK(found->code == currency.code);
    CHECK(found->exponent == currency.exponent);
  }
}

TEST_CASE("find_currency refuses codes that are not upper-case ISO 4217 entries",
          "[currency]") {
  CHECK_FALSE(settle::find_currency("usd").has_value());
  CHECK_FALSE(settle::find_currency("Usd").has_value());
  CHECK_FALSE(settle::find_currency("").has_value());
  CHECK_FALSE(settle::find_currency("US").has_value());
  CHECK_FALSE(settle::find_currency("USDX").has_value());
  CHECK_FALSE(settle::find_currency("USD ").has_value());
  CHECK_FALSE(settle::find_currency(" USD").has_value());
  CHECK_FALSE(settle::find_currency("XXX").has_value());
  CHECK_FALSE(settle::find_currency("ABC").has_value());
}

TEST_CASE("default_currencies holds at least the seven the API contract names", "[currency]") {
  const auto accepted = settle::default_currencies();
  for (const char* code : {"USD", "EUR", "GBP", "JPY", "CNY", "CHF", "BHD"}) {
    INFO("currency " << code);
    CHECK(std::find(accepted.begin(), accepted.end(), code) != accepted.end());
  }
}

TEST_CASE("every default currency is in the ISO 4217 table, once", "[currency]") {
  auto accepted = settle::default_currencies();
  for (const auto& code : accepted) {
    INFO("currency " << code);
    CHECK(settle::find_currency(code).has_value());
  }
  std::sort(accepted.begin(), accepted.end());
  CHECK(std::adjacent_find(accepted.begin(), accepted.end()) == accepted.end());
}

TEST_CASE("world_account_id names the system account acc_world_<CUR>", "[currency]") {
  CHECK(settle::world_account_id("USD").value == "acc_world_USD");
  CHECK(settle::world_account_id("JPY").value == "acc_world_JPY");
  CHECK(settle::world_account_id("BHD").value == "acc_world_BHD");
  CHECK(settle::world_account_id("EUR") != settle::world_account_id("GBP"));
}
