// Accept-Language negotiation: weights decide, the first range wins a tie, any zh range
// is Chinese, and anything we cannot read falls back to English.
#include "net/language.hpp"

#include <catch2/catch.hpp>

using settle::net::language;
using settle::net::preferred_language;

TEST_CASE("Accept-Language picks the best weighted language we serve", "[language]") {
  CHECK(preferred_language("zh-CN,zh;q=0.9,en;q=0.8") == language::chinese);
  CHECK(preferred_language("en-US,en;q=0.9,zh;q=0.8") == language::english);
  CHECK(preferred_language("zh") == language::chinese);
  CHECK(preferred_language("ZH-cn") == language::chinese);
  CHECK(preferred_language("zh-Hant-TW") == language::chinese);
  CHECK(preferred_language("fr-FR, zh;q=0.5") == language::chinese);
  CHECK(preferred_language("en;q=0.4, zh;q=0.5") == language::chinese);
  CHECK(preferred_language("zh;q=0.5, en;q=0.5") == language::chinese); // a tie: first
  CHECK(preferred_language("en;q=0.5 , zh;q=0.500") == language::english);
  CHECK(preferred_language(" zh-CN ; q=1.0 ") == language::chinese);
}

TEST_CASE("Accept-Language falls back to English", "[language]") {
  CHECK(preferred_language("") == language::english);
  CHECK(preferred_language("*") == language::english);
  CHECK(preferred_language("fr, de;q=0.5") == language::english);
  CHECK(preferred_language("zh;q=0") == language::english);   // explicitly not acceptable
  CHECK(preferred_language("zhx, zh_CN") == language::english); // not zh ranges
  CHECK(preferred_language("zh;q=2") == language::english);   // malformed weights
  CHECK(preferred_language("zh;q=0.12345") == language::english);
  CHECK(preferred_language("zh;q=") == language::english);
  CHECK(preferred_language("zh;level=1") == language::english);
  CHECK(preferred_language(",,;,") == language::english);
}
