// SQLite databases are files in a temporary folder; PostgreSQL databases are made and
// dropped over a libpq connection to the server's maintenance database.
#include "tests/unit/support/test_database.hpp"

#include "tests/unit/support/temporary_directory.hpp"

#include <catch2/catch.hpp>
#include <libpq-fe.h>

#include <algorithm>
#include <cstdlib>
#include <random>
#include <stdexcept>

namespace settle::testing {
namespace {

constexpr const char* dsn_variable = "SETTLE_TEST_POSTGRES_DSN";

std::string postgres_dsn() {
  const char* value = std::getenv(dsn_variable);
  return value == nullptr ? std::string{} : std::string{value};
}

// Runs one statement that returns no rows, on a connection of its own.
void execute_statement(const std::string& dsn, const std::string& statement) {
  PGconn* connection = PQconnectdb(dsn.c_str());
  if (PQstatus(connection) != CONNECTION_OK) {
    std::string message = PQerrorMessage(connection);
    PQfinish(connection);
    throw std::runtime_error{"cannot connect to PostgreSQL at " + dsn + ": " + message};
  }
  PGresult* result = PQexec(connection, statement.c_str());
  bool succeeded = PQresultStatus(result) == PGRES_COMMAND_OK;
  std::string message = PQerrorMessage(connection);
  PQclear(result);
  PQfinish(connection);
  if (!succeeded) {
    throw std::runtime_error{"PostgreSQL refused `" + statement + "`: " + message};
  }
}

// postgresql://user@host:port/postgres -> postgresql://user@host:port/<database>.
std::string with_database_name(const std::string& dsn, const std::string& database) {
  auto scheme_end = dsn.find("://");
  if (scheme_end == std::string::npos) {
    throw std::runtime_error{std::string{dsn_variable} + " must be a postgresql:// URL"};
  }
  auto path_start = dsn.find('/', scheme_end + 3);
  auto query_start = dsn.find('?', scheme_end + 3);
  auto authority_end = std::min(path_start, std::min(query_start, dsn.size()));
  auto rest = query_start == std::string::npos ? std::string{} : dsn.substr(query_start);
  return dsn.substr(0, authority_end) + "/" + database + rest;
}

class sqlite_database final : public test_database {
public:
  std::string url_text() const override { return "sqlite:" + directory_.file("settle.db"); }

private:
  temporary_directory directory_;
};

class postgresql_database final : public test_database {
public:
  explicit postgresql_database(std::string administration_dsn)
    : administration_dsn_(std::move(administration_dsn)),
      name_("settle_unit_" + random_hex(16)) {
    execute_statement(administration_dsn_, "CREATE DATABASE " + name_);
  }

  ~postgresql_database() override {
    try {
      execute_statement(administration_dsn_, "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
    } catch (const std::exception& error) {
      WARN("could not drop the test database: " << error.what());
    }
  }

  std::string url_text() const override { return with_database_name(administration_dsn_, name_); }

private:
  std::string administration_dsn_;
  std::string name_;
};

} // namespace

persistence::storage_url test_database::url() const {
  auto parsed = persistence::parse_storage_url(url_text());
  if (!parsed) {
    throw std::runtime_error{"the test database's URL does not parse: " + url_text()};
  }
  return *parsed;
}

std::unique_ptr<test_database> make_sqlite_database() {
  return std::make_unique<sqlite_database>();
}

std::unique_ptr<test_database> make_postgresql_database() {
  auto dsn = postgres_dsn();
  if (dsn.empty()) {
    return nullptr;
  }
  return std::make_unique<postgresql_database>(dsn);
}

void run_on_sqlite(void (*scenario)(const test_database& database)) {
  auto database = make_sqlite_database();
  scenario(*database);
}

void run_on_postgresql(void (*scenario)(const test_database& database)) {
  auto database = make_postgresql_database();
  if (!database) {
    WARN(dsn_variable << " is not set: this PostgreSQL test is skipped");
    return;
  }
  scenario(*database);
}

std::string random_hex(std::size_t digits) {
  static constexpr char alphabet[] = "0123456789abcdef";
  std::random_device device;
  std::uniform_int_distribution<int> pick(0, 15);
  std::string text;
  for (std::size_t index = 0; index < digits; ++index) {
    text.push_back(alphabet[pick(device)]);
  }
  return text;
}

} // namespace settle::testing
