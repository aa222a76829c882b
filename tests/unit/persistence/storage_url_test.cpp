// Tests the parsing of --storage.url: sqlite:PATH, postgresql:// URIs and keyword strings
// read by libpq into quoted keywords, and anything else refused.
#include "persistence/storage_url.hpp"

#include <catch2/catch.hpp>

#include <map>
#include <stdexcept>
#include <string>

namespace {

using settle::persistence::dialect;
using settle::persistence::parse_storage_url;

// Reads libpq's `name='value' ...` form (backslash escapes ' and \) into a map.
std::map<std::string, std::string> keywords_of(const std::string& connection) {
  std::map<std::string, std::string> keywords;
  std::size_t position = 0;
  while (true) {
    position = connection.find_first_not_of(' ', position);
    if (position == std::string::npos) {
      return keywords;
    }
    auto equals = connection.find('=', position);
    if (equals == std::string::npos || equals + 1 >= connection.size()
        || connection[equals + 1] != '\'') {
      throw std::runtime_error{"not a quoted libpq keyword string: " + connection};
    }
    auto name = connection.substr(position, equals - position);
    std::string value;
    position = equals + 2;
    while (position < connection.size() && connection[position] != '\'') {
      if (connection[position] == '\\') {
        ++position;
      }
      value.push_back(connection.at(position));
      ++position;
    }
    if (position >= connection.size()) {
      throw std::runtime_error{"unterminated value in: " + connection};
    }
    ++position;
    if (!keywords.emplace(name, value).second) {
      throw std::runtime_error{"keyword given twice: " + name};
    }
  }
}

std::map<std::string, std::string> postgresql_keywords(const std::string& url) {
  auto parsed = parse_storage_url(url);
  if (!parsed) {
    throw std::runtime_error{"refused: " + url};
  }
  if (parsed->kind != dialect::postgresql) {
    throw std::runtime_error{"not PostgreSQL: " + url};
  }
  return keywords_of(parsed->connection);
}

using keyword_map = std::map<std::string, std::string>;

} // namespace

TEST_CASE("sqlite:PATH opens that file with a busy timeout", "[storage_url]") {
  auto parsed = parse_storage_url("sqlite:/var/lib/settle/settle.db");
  REQUIRE(parsed.has_value());
  CHECK(parsed->kind == dialect::sqlite);
  CHECK(parsed->connection == R"(db="/var/lib/settle/settle.db" timeout=30)");
}

TEST_CASE("sqlite: takes relative paths and the // form", "[storage_url]") {
  auto relative = parse_storage_url("sqlite:settle.db");
  REQUIRE(relative.has_value());
  CHECK(relative->kind == dialect::sqlite);
  CHECK(relative->connection == R"(db="settle.db" timeout=30)");

  auto absolute = parse_storage_url("sqlite:///tmp/settle.db");
  REQUIRE(absolute.has_value());
  CHECK(absolute->connection == R"(db="/tmp/settle.db" timeout=30)");
}

TEST_CASE("a SQLite path with a quote or NUL is refused: it would end db=\"...\" early",
          "[storage_url]") {
  CHECK_FALSE(parse_storage_url("sqlite:a\" vfs=\"x").has_value());
  CHECK_FALSE(parse_storage_url(std::string_view{"sqlite:a\0b", 10}).has_value());
  CHECK_FALSE(parse_storage_url("sqlite:").has_value());
  CHECK(parse_storage_url("sqlite:it's here.db").has_value());
}

TEST_CASE("a postgresql:// URI becomes libpq keywords", "[storage_url]") {
  CHECK(postgresql_keywords("postgresql://settle:secret@db.example.com:6432/ledger")
        == keyword_map{{"user", "settle"},
                       {"password", "secret"},
                       {"host", "db.example.com"},
                       {"port", "6432"},
                       {"dbname", "ledger"}});
}

TEST_CASE("the postgres:// scheme is the same as postgresql://", "[storage_url]") {
  CHECK(postgresql_keywords("postgres://settle@127.0.0.1:5432/postgres")
        == keyword_map{{"user", "settle"},
                       {"host", "127.0.0.1"},
                       {"port", "5432"},
                       {"dbname", "postgres"}});
}

TEST_CASE("parts left out of the URI are left out of the keywords", "[storage_url]") {
  CHECK(postgresql_keywords("postgresql://localhost/ledger")
        == keyword_map{{"host", "localhost"}, {"dbname", "ledger"}});
  CHECK(postgresql_keywords("postgresql://settle@localhost")
        == keyword_map{{"user", "settle"}, {"host", "localhost"}});
  CHECK(postgresql_keywords("postgresql://localhost:5433/")
        == keyword_map{{"host", "localhost"}, {"port", "5433"}});
}

TEST_CASE("an IPv6 host in brackets is unwrapped, with or without a port", "[storage_url]") {
  CHECK(postgresql_keywords("postgresql://settle@[::1]:5433/ledger")
        == keyword_map{{"user", "settle"}, {"host", "::1"}, {"port", "5433"}, {"dbname", "ledger"}});
  CHECK(postgresql_keywords("postgresql://[2001:db8::7]/ledger")
        == keyword_map{{"host", "2001:db8::7"}, {"dbname", "ledger"}});
}

TEST_CASE("URI query parameters become keywords", "[storage_url]") {
  CHECK(postgresql_keywords("postgresql://settle@localhost/ledger?sslmode=disable&connect_timeout=5")
        == keyword_map{{"user", "settle"},
                       {"host", "localhost"},
                       {"dbname", "ledger"},
                       {"sslmode", "disable"},
                       {"connect_timeout", "5"}});
}

TEST_CASE("quotes and backslashes in a password survive the keyword quoting", "[storage_url]") {
  auto keywords = postgresql_keywords(R"(postgresql://settle:it's\ok@localhost/ledger)");
  CHECK(keywords.at("password") == R"(it's\ok)");
}

TEST_CASE("percent-encoded characters of a URI are decoded, as libpq does",
          "[storage_url]") {
  // A password with @, : or / can only be written percent-encoded in a URI.
  auto keywords = postgresql_keywords("postgresql://set%74le:p%40ss%3Aw%2Frd@localhost/led%67er");
  CHECK(keywords.at("user") == "settle");
  CHECK(keywords.at("password") == "p@ss:w/rd");
  CHECK(keywords.at("dbname") == "ledger");
}

TEST_CASE("a URI query parameter without a value is refused", "[storage_url]") {
  CHECK_FALSE(parse_storage_url("postgresql://localhost/ledger?sslmode").has_value());
}

TEST_CASE("a libpq keyword string is read by libpq into the same keywords", "[storage_url]") {
  CHECK(postgresql_keywords("host=127.0.0.1 port=5432 dbname=ledger user=settle")
        == keyword_map{{"host", "127.0.0.1"}, {"port", "5432"}, {"dbname", "ledger"},
                       {"user", "settle"}});
  CHECK(postgresql_keywords("dbname=ledger") == keyword_map{{"dbname", "ledger"}});
  CHECK(postgresql_keywords(R"(host=db password='it\'s \\ here')").at("password")
        == R"(it's \ here)");
}

TEST_CASE("what libpq refuses is refused at once, not at the first connection",
          "[storage_url]") {
  for (const char* text : {"postgresql://localhost/ledger?no_such_option=1",
                           "host=db no_such_option=1",
                           "host='unterminated", "user=settle"}) {
    INFO("url '" << text << "'");
    CHECK_FALSE(parse_storage_url(text).has_value());
  }
}

TEST_CASE("anything else is refused", "[storage_url]") {
  for (const char* text : {"", "sqlite:", "sqlite://", "sqlite", "settle.db", "/tmp/settle.db",
                           "mysql://settle@localhost/ledger", "http://localhost/ledger",
                           "postgresql:/localhost/ledger", "SQLITE:settle.db"}) {
    INFO("url '" << text << "'");
    CHECK_FALSE(parse_storage_url(text).has_value());
  }
}
