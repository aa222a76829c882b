// Percent-decoding of request targets and storage URLs (RFC 3986): escapes of either
// case, '+' as a space only in a query, and a broken escape refused rather than guessed.
#include "domain/percent_encoding.hpp"

#include <catch2/catch.hpp>

#include <string>

using settle::percent_decode;

TEST_CASE("plain text decodes to itself", "[percent_encoding]") {
  CHECK(percent_decode("", false) == std::string{});
  CHECK(percent_decode("acc_7Hd2QmZ0aB5cX9eF1gJ3kL", false) == "acc_7Hd2QmZ0aB5cX9eF1gJ3kL");
  CHECK(percent_decode("a-b.c_d~e", true) == "a-b.c_d~e");
}

TEST_CASE("escapes decode in either case, to any byte", "[percent_encoding]") {
  CHECK(percent_decode("%2F", false) == "/");
  CHECK(percent_decode("%2f", false) == "/");
  CHECK(percent_decode("a%20b", false) == "a b");
  CHECK(percent_decode("%25", false) == "%");
  CHECK(percent_decode("%E2%82%AC", false) == "\xE2\x82\xAC"); // the euro sign in UTF-8
  CHECK(percent_decode("%00", false) == std::string(1, '\0'));
  CHECK(percent_decode("%FF", false) == std::string(1, '\xFF'));
}

TEST_CASE("'+' is a space in a query and itself elsewhere", "[percent_encoding]") {
  CHECK(percent_decode("a+b", true) == "a b");
  CHECK(percent_decode("a+b", false) == "a+b");
  CHECK(percent_decode("a%2Bb", true) == "a+b");
}

TEST_CASE("a broken escape is refused", "[percent_encoding]") {
  for (const char* broken : {"%", "%4", "a%", "a%4", "%G1", "%1G", "%%", "%%41", "% 41", "%-1"}) {
    INFO(broken);
    CHECK_FALSE(percent_decode(broken, false).has_value());
    CHECK_FALSE(percent_decode(broken, true).has_value());
  }
  CHECK(percent_decode("%41%", false) == std::nullopt);
  CHECK(percent_decode("%41", false) == "A");
}
