// SQLite storage is a path; PostgreSQL storage is a database made with libpq's
// CREATE DATABASE on the throwaway server and dropped again when the test is done.
#include "tests/integration/harness/test_storage.hpp"

#include <libpq-fe.h>

#include <cstdlib>
#include <random>
#include <stdexcept>

namespace settle::integration {

namespace {

std::string environment_variable(const char* name) {
  const char* value = std::getenv(name);
  return value ? value : "";
}

// Runs one statement that returns no rows, on a fresh connection.
void execute(const std::string& dsn, const std::string& statement) {
  PGconn* connection = PQconnectdb(dsn.c_str());
  if (PQstatus(connection) != CONNECTION_OK) {
    const std::string message = PQerrorMessage(connection);
    PQfinish(connection);
    throw std::runtime_error("cannot connect to PostgreSQL at " + dsn + ": " + message);
  }
  PGresult* result = PQexec(connection, statement.c_str());
  const bool succeeded = PQresultStatus(result) == PGRES_COMMAND_OK;
  const std::string message = PQerrorMessage(connection);
  PQclear(result);
  PQfinish(connection);
  if (!succeeded) {
    throw std::runtime_error("PostgreSQL refused `" + statement + "`: " + message);
  }
}

// postgresql://user@host:port/postgres?options -> the same with another database name.
std::string with_database(const std::string& dsn, const std::string& database) {
  const auto scheme_end = dsn.find("://");
  if (scheme_end == std::string::npos || (dsn.rfind("postgresql://", 0) != 0 && dsn.rfind("postgres://", 0) != 0)) {
    throw std::runtime_error("SETTLE_TEST_POSTGRES_DSN must be a postgresql:// URL, got: " + dsn);
  }
  const auto path_start = dsn.find('/', scheme_end + 3);
  const auto query_start = dsn.find('?', scheme_end + 3);
  if (path_start == std::string::npos || (query_start != std::string::npos && query_start < path_start)) {
    const auto authority_end = query_start == std::string::npos ? dsn.size() : query_start;
    return dsn.substr(0, authority_end) + "/" + database + dsn.substr(authority_end);
  }
  const auto path_end = query_start == std::string::npos ? dsn.size() : query_start;
  return dsn.substr(0, path_start + 1) + database + dsn.substr(path_end);
}

class sqlite_storage : public test_storage {
 public:
  explicit sqlite_storage(const std::string& directory) : url_("sqlite:" + directory + "/settle.db") {}
  std::string url() const override { return url_; }

 private:
  std::string url_;
};

class postgresql_storage : public test_storage {
 public:
  explicit postgresql_storage(std::string administration_dsn)
      : administration_dsn_(std::move(administration_dsn)), database_("settle_test_" + random_hex(16)) {
    execute(administration_dsn_, "CREATE DATABASE " + database_);
    url_ = with_database(administration_dsn_, database_);
  }

  ~postgresql_storage() override {
    // The throwaway server is deleted anyway; dropping keeps a long run's disk use flat.
    try {
      execute(administration_dsn_, "DROP DATABASE IF EXISTS " + database_ + " WITH (FORCE)");
    } catch (const std::exception&) {
    }
  }

  std::string url() const override { return url_; }

 private:
  std::string administration_dsn_;
  std::string database_;
  std::string url_;
};

}  // namespace

std::string storage_kind_from_environment() {
  const auto kind = environment_variable("SETTLE_TEST_STORAGE");
  if (kind.empty() || kind == "sqlite") {
    return "sqlite";
  }
  if (kind == "postgresql") {
    return kind;
  }
  throw std::runtime_error("SETTLE_TEST_STORAGE must be sqlite or postgresql, got: " + kind);
}

std::unique_ptr<test_storage> make_test_storage(const std::string& directory) {
  if (storage_kind_from_environment() == "sqlite") {
    return std::make_unique<sqlite_storage>(directory);
  }
  const auto dsn = environment_variable("SETTLE_TEST_POSTGRES_DSN");
  if (dsn.empty()) {
    throw std::runtime_error(
        "SETTLE_TEST_STORAGE=postgresql needs SETTLE_TEST_POSTGRES_DSN "
        "(run under scripts/with-postgres.sh, as `make test` does)");
  }
  return std::make_unique<postgresql_storage>(dsn);
}

std::string random_hex(std::size_t digits) {
  static constexpr char alphabet[] = "0123456789abcdef";
  std::random_device device;
  std::uniform_int_distribution<int> pick(0, 15);
  std::string text;
  for (std::size_t index = 0; index < digits; ++index) {
    text += alphabet[pick(device)];
  }
  return text;
}

}  // namespace settle::integration
