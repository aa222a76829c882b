// PostgreSQL: a transaction that locks every table the ledger writer writes in EXCLUSIVE
// mode, which blocks writes and lets plain reads through. SQLite: BEGIN EXCLUSIVE, which
// in WAL mode blocks every other writer and lets readers read.
#include "tests/integration/harness/storage_write_lock.hpp"

#include <libpq-fe.h>
#include <sqlite3.h>

#include <stdexcept>
#include <thread>

namespace settle::integration {

namespace {

constexpr const char* postgresql_lock =
  "BEGIN; LOCK TABLE users, accounts, transfers, entries, idempotency_keys, orders, events "
  "IN EXCLUSIVE MODE";

// Another backend of the same database waiting for a lock that this one holds.
constexpr const char* postgresql_waiters =
  "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
  "AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'";

bool starts_with(const std::string& text, const std::string& prefix) {
  return text.rfind(prefix, 0) == 0;
}

} // namespace

struct storage_write_lock::connection {
  PGconn* postgresql = nullptr;
  sqlite3* sqlite = nullptr;

  ~connection() {
    if (postgresql) {
      PQfinish(postgresql);
    }
    if (sqlite) {
      sqlite3_close(sqlite);
    }
  }

  // Runs `statement` and returns the first column of its first row ("" if it has none).
  std::string run(const char* statement) {
    if (sqlite) {
      char* error = nullptr;
      if (sqlite3_exec(sqlite, statement, nullptr, nullptr, &error) != SQLITE_OK) {
        std::string message = error ? error : "unknown error";
        sqlite3_free(error);
        throw std::runtime_error(std::string{"SQLite refused `"} + statement + "`: " + message);
      }
      return {};
    }
    PGresult* result = PQexec(postgresql, statement);
    auto status = PQresultStatus(result);
    std::string first = status == PGRES_TUPLES_OK && PQntuples(result) > 0
                          ? PQgetvalue(result, 0, 0)
                          : "";
    PQclear(result);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
      throw std::runtime_error(std::string{"PostgreSQL refused `"} + statement
                               + "`: " + PQerrorMessage(postgresql));
    }
    return first;
  }
};

storage_write_lock::storage_write_lock(const std::string& storage_url)
    : connection_(std::make_unique<connection>()) {
  if (starts_with(storage_url, "sqlite:")) {
    auto path = storage_url.substr(7);
    if (sqlite3_open(path.c_str(), &connection_->sqlite) != SQLITE_OK) {
      throw std::runtime_error("cannot open " + path);
    }
    connection_->run("BEGIN EXCLUSIVE");
    return;
  }
  connection_->postgresql = PQconnectdb(storage_url.c_str());
  if (PQstatus(connection_->postgresql) != CONNECTION_OK) {
    throw std::runtime_error("cannot connect to " + storage_url + ": "
                             + PQerrorMessage(connection_->postgresql));
  }
  connection_->run(postgresql_lock);
}

storage_write_lock::storage_write_lock(const std::string& postgresql_url, const std::string& table)
    : connection_(std::make_unique<connection>()) {
  connection_->postgresql = PQconnectdb(postgresql_url.c_str());
  if (PQstatus(connection_->postgresql) != CONNECTION_OK) {
    throw std::runtime_error("cannot connect to " + postgresql_url + ": "
                             + PQerrorMessage(connection_->postgresql));
  }
  connection_->run(("BEGIN; LOCK TABLE " + table + " IN ACCESS EXCLUSIVE MODE").c_str());
}

storage_write_lock::~storage_write_lock() = default;

bool storage_write_lock::await_waiters(std::size_t count, std::chrono::milliseconds bound) {
  auto until = std::chrono::steady_clock::now() + bound;
  while (std::chrono::steady_clock::now() < until) {
    if (connection_->postgresql
        && std::stoul(connection_->run(postgresql_waiters)) >= count) {
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds{20});
  }
  return false;
}

void storage_write_lock::release() {
  connection_->run("COMMIT");
}

} // namespace settle::integration
