// Tests the domain's rules for every value a client sends, accepted and refused at each boundary.
#include "domain/validation.hpp"

#include "domain/currency.hpp"
#include "domain/money.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace {

constexpr std::int64_t largest = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t smallest = std::numeric_limits<std::int64_t>::min();

// One "é" (U+00E9) is two bytes, one "€" (U+20AC) three and one "😀" (U+1F600) four.
constexpr std::string_view two_byte_character = "\xc3\xa9";
constexpr std::string_view three_byte_character = "\xe2\x82\xac";
constexpr std::string_view four_byte_character = "\xf0\x9f\x98\x80";

std::string repeat(std::string_view text, std::size_t count) {
  std::string repeated;
  repeated.reserve(text.size() * count);
  for (std::size_t i = 0; i < count; ++i) {
    repeated += text;
  }
  return repeated;
}

std::string code_name(settle::settle_errc code) {
  switch (code) {
    case settle::settle_errc::invalid_parameter:
      return "invalid_parameter";
    case settle::settle_errc::unsupported_currency:
      return "unsupported_currency";
    case settle::settle_errc::invalid_idempotency_key:
      return "invalid_idempotency_key";
    default:
      return "unexpected code " + std::to_string(static_cast<int>(code));
  }
}

// How a validation ended, spelled so that a failed check shows it: "accepted", or the
// code and the field it names ("invalid_parameter on name").
std::string outcome(const settle::validation_result& result) {
  if (!result) {
    return "accepted";
  }
  return code_name(result->code) + " on " + (result->param.empty() ? "no field" : result->param);
}

const std::string accepted = "accepted";
const std::string invalid_amount = "invalid_parameter on amount";
const std::string invalid_overdraft_limit = "invalid_parameter on overdraft_limit";
const std::string invalid_name = "invalid_parameter on name";
const std::string invalid_email = "invalid_parameter on email";
const std::string invalid_description = "invalid_parameter on description";
const std::string unsupported_currency = "unsupported_currency on currency";
const std::string invalid_idempotency_key = "invalid_idempotency_key on no field";
const std::string invalid_limit = "invalid_parameter on limit";

} // namespace

TEST_CASE("count_code_points counts Unicode code points, not bytes", "[validation]") {
  CHECK(settle::count_code_points("") == 0);
  CHECK(settle::count_code_points("abc") == 3);
  CHECK(settle::count_code_points(two_byte_character) == 1);
  CHECK(settle::count_code_points(three_byte_character) == 1);
  CHECK(settle::count_code_points(four_byte_character) == 1);
  CHECK(settle::count_code_points("Ren\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80") == 8);
  CHECK(settle::count_code_points(repeat(two_byte_character, 200)) == 200);
  CHECK(settle::count_code_points(std::string_view{"a\0b", 3}) == 3);
}

TEST_CASE("validate_amount accepts 1 to 10^15", "[validation]") {
  CHECK(outcome(settle::validate_amount(1)) == accepted);
  CHECK(outcome(settle::validate_amount(500)) == accepted);
  CHECK(outcome(settle::validate_amount(1'000'000'000'000'000)) == accepted);
}

TEST_CASE("validate_amount refuses zero, negatives and more than 10^15 on amount",
          "[validation]") {
  CHECK(outcome(settle::validate_amount(0)) == invalid_amount);
  CHECK(outcome(settle::validate_amount(-1)) == invalid_amount);
  CHECK(outcome(settle::validate_amount(-500)) == invalid_amount);
  CHECK(outcome(settle::validate_amount(1'000'000'000'000'001)) == invalid_amount);
  CHECK(outcome(settle::validate_amount(largest)) == invalid_amount);
  CHECK(outcome(settle::validate_amount(smallest)) == invalid_amount);
}

TEST_CASE("validate_amount names the field it is given", "[validation]") {
  CHECK(outcome(settle::validate_amount(0, "transfers[3].amount"))
        == "invalid_parameter on transfers[3].amount");
  CHECK(outcome(settle::validate_amount(7, "transfers[3].amount")) == accepted);
}

TEST_CASE("validate_overdraft_limit accepts 0 to 10^15", "[validation]") {
  CHECK(outcome(settle::validate_overdraft_limit(0)) == accepted);
  CHECK(outcome(settle::validate_overdraft_limit(1)) == accepted);
  CHECK(outcome(settle::validate_overdraft_limit(1'000'000'000'000'000)) == accepted);
}

TEST_CASE("validate_overdraft_limit refuses negatives and more than 10^15", "[validation]") {
  CHECK(outcome(settle::validate_overdraft_limit(-1)) == invalid_overdraft_limit);
  CHECK(outcome(settle::validate_overdraft_limit(1'000'000'000'000'001))
        == invalid_overdraft_limit);
  CHECK(outcome(settle::validate_overdraft_limit(largest)) == invalid_overdraft_limit);
  CHECK(outcome(settle::validate_overdraft_limit(smallest)) == invalid_overdraft_limit);
}

TEST_CASE("validate_name accepts 1 to 200 code points", "[validation]") {
  CHECK(outcome(settle::validate_name("a")) == accepted);
  CHECK(outcome(settle::validate_name("Ada Lovelace")) == accepted);
  CHECK(outcome(settle::validate_name(two_byte_character)) == accepted);
  CHECK(outcome(settle::validate_name(std::string(200, 'a'))) == accepted);
}

TEST_CASE("validate_name counts multi-byte UTF-8 characters once", "[validation]") {
  // 200 "é" are 400 bytes: still 200 characters.
  CHECK(outcome(settle::validate_name(repeat(two_byte_character, 200))) == accepted);
  CHECK(outcome(settle::validate_name(repeat(three_byte_character, 200))) == accepted);
  CHECK(outcome(settle::validate_name(repeat(four_byte_character, 200))) == accepted);
  CHECK(outcome(settle::validate_name(repeat(two_byte_character, 199) + "a")) == accepted);

  CHECK(outcome(settle::validate_name(repeat(two_byte_character, 201))) == invalid_name);
  CHECK(outcome(settle::validate_name(repeat(three_byte_character, 201))) == invalid_name);
  CHECK(outcome(settle::validate_name(repeat(four_byte_character, 201))) == invalid_name);
  CHECK(outcome(settle::validate_name(repeat(two_byte_character, 200) + "a")) == invalid_name);
}

TEST_CASE("validate_name refuses an empty name and more than 200 characters", "[validation]") {
  CHECK(outcome(settle::validate_name("")) == invalid_name);
  CHECK(outcome(settle::validate_name(std::string(201, 'a'))) == invalid_name);
  CHECK(outcome(settle::validate_name(std::string(10'000, 'a'))) == invalid_name);
}

TEST_CASE("validate_email accepts one @ between two non-empty parts", "[validation]") {
  CHECK(outcome(settle::validate_email("a@b")) == accepted);
  CHECK(outcome(settle::validate_email("ada@example.com")) == accepted);
  CHECK(outcome(settle::validate_email("first.last+tag@sub.example.org")) == accepted);
}

TEST_CASE("validate_email refuses no @, more than one @ or an empty part", "[validation]") {
  CHECK(outcome(settle::validate_email("")) == invalid_email);
  CHECK(outcome(settle::validate_email("ada.example.com")) == invalid_email);
  CHECK(outcome(settle::validate_email("@")) == invalid_email);
  CHECK(outcome(settle::validate_email("@example.com")) == invalid_email);
  CHECK(outcome(settle::validate_email("ada@")) == invalid_email);
  CHECK(outcome(settle::validate_email("ada@@example.com")) == invalid_email);
  CHECK(outcome(settle::validate_email("ada@home@example.com")) == invalid_email);
  CHECK(outcome(settle::validate_email("@ada@")) == invalid_email);
}

TEST_CASE("validate_email accepts 254 characters and refuses 255", "[validation]") {
  const std::string domain = "@example.com";
  const std::string longest = std::string(254 - domain.size(), 'a') + domain;
  REQUIRE(longest.size() == 254);
  CHECK(outcome(settle::validate_email(longest)) == accepted);

  const std::string too_long = "a" + longest;
  REQUIRE(too_long.size() == 255);
  CHECK(outcome(settle::validate_email(too_long)) == invalid_email);

  const std::string long_domain = "a@" + std::string(253, 'b');
  CHECK(outcome(settle::validate_email(long_domain)) == invalid_email);
}

TEST_CASE("validate_email refuses spaces and control characters", "[validation]") {
  CHECK(outcome(settle::validate_email("ada lovelace@example.com")) == invalid_email);
  CHECK(outcome(settle::validate_email(" ada@example.com")) == invalid_email);
  CHECK(outcome(settle::validate_email("ada@example.com\n")) == invalid_email);
  CHECK(outcome(settle::validate_email("ada\t@example.com")) == invalid_email);
  CHECK(outcome(settle::validate_email("ada@exa\x7fmple.com")) == invalid_email);
  CHECK(outcome(settle::validate_email(std::string_view{"ada@exa\0mple.com", 16}))
        == invalid_email);
}

TEST_CASE("validate_description accepts an empty text and up to 1000 code points",
          "[validation]") {
  CHECK(outcome(settle::validate_description("")) == accepted);
  CHECK(outcome(settle::validate_description("Invoice 42")) == accepted);
  CHECK(outcome(settle::validate_description("line one\nline two")) == accepted);
  CHECK(outcome(settle::validate_description(std::string(1'000, 'x'))) == accepted);
  // 1000 "é" are 2000 bytes: still 1000 characters.
  CHECK(outcome(settle::validate_description(repeat(two_byte_character, 1'000))) == accepted);
  CHECK(outcome(settle::validate_description(repeat(four_byte_character, 1'000))) == accepted);
}

TEST_CASE("validate_description refuses more than 1000 code points", "[validation]") {
  CHECK(outcome(settle::validate_description(std::string(1'001, 'x'))) == invalid_description);
  CHECK(outcome(settle::validate_description(repeat(two_byte_character, 1'001)))
        == invalid_description);
  CHECK(outcome(settle::validate_description(repeat(four_byte_character, 1'000) + "x"))
        == invalid_description);
}

TEST_CASE("validate_description refuses a NUL anywhere", "[validation]") {
  using namespace std::string_literals;
  CHECK(outcome(settle::validate_description("\0"s)) == invalid_description);
  CHECK(outcome(settle::validate_description("\0abc"s)) == invalid_description);
  CHECK(outcome(settle::validate_description("ab\0c"s)) == invalid_description);
  CHECK(outcome(settle::validate_description("abc\0"s)) == invalid_description);
}

TEST_CASE("validate_currency accepts each configured ISO 4217 code", "[validation]") {
  const auto accepted_currencies = settle::default_currencies();
  for (const auto& currency : accepted_currencies) {
    INFO("currency " << currency);
    CHECK(outcome(settle::validate_currency(currency, accepted_currencies)) == accepted);
  }
  CHECK(outcome(settle::validate_currency("AUD", {"USD", "AUD"})) == accepted);
}

TEST_CASE("validate_currency refuses codes that are not upper-case ISO 4217", "[validation]") {
  const auto accepted_currencies = settle::default_currencies();
  for (std::string_view currency : {"usd", "Usd", "", "US", "USDX", " USD", "USD ", "XYZ"}) {
    INFO("currency '" << currency << "'");
    CHECK(outcome(settle::validate_currency(currency, accepted_currencies))
          == unsupported_currency);
  }
}

TEST_CASE("validate_currency refuses an ISO 4217 code that is not configured",
          "[validation]") {
  CHECK(outcome(settle::validate_currency("AUD", {"USD", "EUR"})) == unsupported_currency);
  CHECK(outcome(settle::validate_currency("USD", {})) == unsupported_currency);
}

TEST_CASE("validate_currency refuses a configured code missing from the ISO table",
          "[validation]") {
  CHECK(outcome(settle::validate_currency("XYZ", {"USD", "XYZ"})) == unsupported_currency);
  CHECK(outcome(settle::validate_currency("usd", {"usd"})) == unsupported_currency);
}

TEST_CASE("validate_idempotency_key accepts 1 to 255 printable ASCII characters",
          "[validation]") {
  CHECK(outcome(settle::validate_idempotency_key("k")) == accepted);
  CHECK(outcome(settle::validate_idempotency_key("order-42 retry #1")) == accepted);
  CHECK(outcome(settle::validate_idempotency_key(std::string(255, 'k'))) == accepted);

  std::string every_printable;
  for (char character = 0x20; character <= 0x7e; ++character) {
    every_printable.push_back(character);
  }
  REQUIRE(every_printable.size() == 95);
  CHECK(outcome(settle::validate_idempotency_key(every_printable)) == accepted);
}

TEST_CASE("validate_idempotency_key refuses an empty key and more than 255 characters",
          "[validation]") {
  CHECK(outcome(settle::validate_idempotency_key("")) == invalid_idempotency_key);
  CHECK(outcome(settle::validate_idempotency_key(std::string(256, 'k')))
        == invalid_idempotency_key);
}

TEST_CASE("validate_idempotency_key refuses control characters and non-ASCII bytes",
          "[validation]") {
  for (int byte = 0; byte <= 0xff; ++byte) {
    if (byte >= 0x20 && byte <= 0x7e) {
      continue;
    }
    INFO("byte " << byte);
    const std::string key = "key" + std::string(1, static_cast<char>(byte)) + "end";
    CHECK(outcome(settle::validate_idempotency_key(key)) == invalid_idempotency_key);
  }
  CHECK(outcome(settle::validate_idempotency_key(two_byte_character)) == invalid_idempotency_key);
}

TEST_CASE("validate_list_limit accepts 1 to 100", "[validation]") {
  CHECK(outcome(settle::validate_list_limit(1)) == accepted);
  CHECK(outcome(settle::validate_list_limit(50)) == accepted);
  CHECK(outcome(settle::validate_list_limit(100)) == accepted);
  CHECK(outcome(settle::validate_list_limit(settle::default_list_limit)) == accepted);
  CHECK(settle::default_list_limit == 20);
}

TEST_CASE("validate_list_limit refuses 0, negatives and more than 100", "[validation]") {
  CHECK(outcome(settle::validate_list_limit(0)) == invalid_limit);
  CHECK(outcome(settle::validate_list_limit(-1)) == invalid_limit);
  CHECK(outcome(settle::validate_list_limit(101)) == invalid_limit);
  CHECK(outcome(settle::validate_list_limit(largest)) == invalid_limit);
  CHECK(outcome(settle::validate_list_limit(smallest)) == invalid_limit);
}

TEST_CASE("every refusal carries a sentence for the client", "[validation]") {
  const std::vector<settle::validation_result> refusals{
    settle::validate_amount(0),
    settle::validate_overdraft_limit(-1),
    settle::validate_name(""),
    settle::validate_email(""),
    settle::validate_description(std::string(1'001, 'x')),
    settle::validate_currency("usd", settle::default_currencies()),
    settle::validate_idempotency_key(""),
    settle::validate_list_limit(0),
  };
  for (std::size_t i = 0; i < refusals.size(); ++i) {
    INFO("refusal " << i);
    REQUIRE(refusals[i].has_value());
    CHECK_FALSE(refusals[i]->message.empty());
  }
}
