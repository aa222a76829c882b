// Tests SQL literal quoting: quotes doubled, nothing else escaped, NULL for empty
// nullable text, and that SQLite reads every literal back as the original text.
#include "persistence/sql_literal.hpp"

#include "persistence/connection.hpp"
#include "tests/unit/support/test_database.hpp"

#include <catch2/catch.hpp>
#include <soci/soci.h>

#include <cstdint>
#include <limits>
#include <string>

namespace {

std::string literal(std::string_view text) {
  std::string sql;
  settle::persistence::append_literal(sql, text);
  return sql;
}

std::string nullable_literal(std::string_view text) {
  std::string sql;
  settle::persistence::append_nullable_literal(sql, text);
  return sql;
}

std::string number_literal(std::int64_t value) {
  std::string sql;
  settle::persistence::append_literal(sql, value);
  return sql;
}

} // namespace

TEST_CASE("text is quoted with every quote doubled", "[sql_literal]") {
  CHECK(literal("plain") == "'plain'");
  CHECK(literal("") == "''");
  CHECK(literal("it's") == "'it''s'");
  CHECK(literal("'") == "''''");
  CHECK(literal("''") == "''''''");
  CHECK(literal("'; DROP TABLE accounts; --") == "'''; DROP TABLE accounts; --'");
}

TEST_CASE("backslashes, double quotes and UTF-8 are written as they are", "[sql_literal]") {
  CHECK(literal(R"(a\b)") == R"('a\b')");
  CHECK(literal(R"(say "hi")") == R"('say "hi"')");
  CHECK(literal("Zoë 東京") == "'Zoë 東京'");
}

TEST_CASE("a literal is appended to the text already there", "[sql_literal]") {
  std::string sql = "SELECT ";
  settle::persistence::append_literal(sql, "x");
  sql += ", ";
  settle::persistence::append_literal(sql, std::int64_t{7});
  CHECK(sql == "SELECT 'x', 7");
}

TEST_CASE("nullable text is NULL when empty, else a quoted literal", "[sql_literal]") {
  CHECK(nullable_literal("") == "NULL");
  CHECK(nullable_literal("ord_1") == "'ord_1'");
  CHECK(nullable_literal("o'clock") == "'o''clock'");
}

TEST_CASE("integers are written in decimal across the whole 64-bit range", "[sql_literal]") {
  CHECK(number_literal(0) == "0");
  CHECK(number_literal(-42) == "-42");
  CHECK(number_literal(std::numeric_limits<std::int64_t>::max()) == "9223372036854775807");
  CHECK(number_literal(std::numeric_limits<std::int64_t>::min()) == "-9223372036854775808");
}

TEST_CASE("SQLite reads each literal back as the original text", "[sql_literal][sqlite]") {
  auto database = settle::testing::make_sqlite_database();
  auto session = settle::persistence::open_session(database->url());
  for (const std::string text : {"plain", "it's", "''", "'; DROP TABLE x; --", R"(a\b\\c)",
                                 "Zoë 東京", R"(say "hi")"}) {
    INFO("text " << text);
    std::string read_back;
    *session << "SELECT " + literal(text), soci::into(read_back);
    CHECK(read_back == text);
  }
}
