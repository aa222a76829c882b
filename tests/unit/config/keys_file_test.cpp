// Tests the keys file: `KEY TENANT ROLE` lines, comments and blank lines skipped,
// malformed lines refused with their line number, and generated admin keys.
#include "config/keys_file.hpp"

#include "tests/unit/support/temporary_directory.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <set>
#include <stdexcept>
#include <string>

namespace {

using settle::config::key_role;

// The message of the error parse_keys throws, or "parsed".
std::string refusal_of(const std::string& text) {
  try {
    settle::config::parse_keys(text);
  } catch (const std::runtime_error& error) {
    return error.what();
  }
  return "parsed";
}

} // namespace

TEST_CASE("each line names a key, its tenant and its role", "[keys_file]") {
  auto keys = settle::config::parse_keys("sk_admin operations admin\n"
                                         "sk_acme acme tenant\n"
                                         "sk_globex\tglobex   tenant\n");
  REQUIRE(keys.size() == 3);
  CHECK(keys.at("sk_admin").tenant == "operations");
  CHECK(keys.at("sk_admin").role == key_role::admin);
  CHECK(keys.at("sk_acme").tenant == "acme");
  CHECK(keys.at("sk_acme").role == key_role::tenant);
  CHECK(keys.at("sk_globex").tenant == "globex");
  CHECK(keys.at("sk_globex").role == key_role::tenant);
}

TEST_CASE("comments and blank lines are skipped", "[keys_file]") {
  auto keys = settle::config::parse_keys("# KEY TENANT ROLE\n"
                                         "\n"
                                         "   \n"
                                         "   # an indented comment\n"
                                         "#sk_commented acme admin\n"
                                         "sk_acme acme tenant");
  REQUIRE(keys.size() == 1);
  CHECK(keys.count("sk_acme") == 1);
  CHECK(keys.count("#sk_commented") == 0);
}

TEST_CASE("lines ending in CRLF are read like lines ending in LF", "[keys_file]") {
  auto keys = settle::config::parse_keys("sk_admin operations admin\r\nsk_acme acme tenant\r\n");
  REQUIRE(keys.size() == 2);
  CHECK(keys.at("sk_admin").role == key_role::admin);
  CHECK(keys.at("sk_acme").tenant == "acme");
}

TEST_CASE("an empty file has no keys", "[keys_file]") {
  CHECK(settle::config::parse_keys("").empty());
}

TEST_CASE("a malformed line is refused with its line number", "[keys_file]") {
  CHECK(refusal_of("sk_a acme tenant\nsk_b acme\n").find("line 2") != std::string::npos);
  CHECK(refusal_of("# header\n\nsk_b acme owner\n").find("line 3") != std::string::npos);
  CHECK(refusal_of("sk_b acme tenant extra\n").find("line 1") != std::string::npos);
  CHECK(refusal_of("sk_b\n").find("line 1") != std::string::npos);
  CHECK(refusal_of("sk_b acme Admin\n").find("line 1") != std::string::npos);
  CHECK(refusal_of("sk_b acme tenant # trailing comment\n").find("line 1") != std::string::npos);
}

TEST_CASE("load_keys_file reads a file", "[keys_file]") {
  settle::testing::temporary_directory directory;
  auto path = directory.file("keys");
  std::ofstream{path} << "# keys\nsk_admin operations admin\nsk_acme acme tenant\n";
  auto keys = settle::config::load_keys_file(path);
  REQUIRE(keys.size() == 2);
  CHECK(keys.at("sk_acme").tenant == "acme");
}

TEST_CASE("load_keys_file refuses a file it cannot read", "[keys_file]") {
  settle::testing::temporary_directory directory;
  CHECK_THROWS_AS(settle::config::load_keys_file(directory.file("missing")), std::runtime_error);
}

TEST_CASE("generate_key makes distinct admin keys of 32 random characters", "[keys_file]") {
  std::set<std::string> keys;
  for (int round = 0; round < 20; ++round) {
    auto key = settle::config::generate_key();
    REQUIRE(key.size() == std::string{"sk_admin_"}.size() + 32);
    CHECK(key.rfind("sk_admin_", 0) == 0);
    CHECK(key.find_first_not_of("0123456789abcdefghijklmnopqrstuvwxyz", 9) == std::string::npos);
    keys.insert(key);
  }
  CHECK(keys.size() == 20);
}

TEST_CASE("a tenant name starting with '_' is refused: those are the system's own", "[keys_file]") {
  CHECK(refusal_of("sk_ok acme tenant\nsk_world _system tenant\n").find("line 2") != std::string::npos);
  CHECK(refusal_of("sk_admin _ops admin\n").find("'_'") != std::string::npos);
  CHECK(refusal_of("sk_acme acme_ tenant\n") == "parsed");
}

TEST_CASE("tenant names that differ only in case are two tenants", "[keys_file]") {
  auto keys = settle::config::parse_keys("sk_lower acme tenant\nsk_upper ACME tenant\n");
  CHECK(keys.at("sk_lower").tenant == "acme");
  CHECK(keys.at("sk_upper").tenant == "ACME");
}
