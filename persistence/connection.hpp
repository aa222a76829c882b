// Opens a SOCI session on the configured database with the settings Settle relies on
// (SQLite: WAL, synchronous=FULL, foreign keys). Throws storage_error on failure.
#pragma once

#include "persistence/storage_url.hpp"

#include <memory>
#include <stdexcept>
#include <string>
#include <utility>

namespace soci {
class session;
}

namespace settle::persistence {

// A database failure, already translated from SOCI's exceptions.
class storage_error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
  // A refusal by the database, with its code for it (PostgreSQL's SQLSTATE).
  storage_error(const std::string& what, std::string sqlstate)
      : std::runtime_error(what), sqlstate_(std::move(sqlstate)) {}

  // Empty unless the database gave one.
  const std::string& sqlstate() const noexcept { return sqlstate_; }

private:
  std::string sqlstate_;
};

// COMMIT failed after it was sent: the transaction's outcome is unknown.
class ambiguous_commit : public storage_error {
public:
  using storage_error::storage_error;
};

// libpq settings every PostgreSQL connection starts with, before the URL's own:
// connect within 10 s, and find a dead peer by TCP keepalives (after 30 s idle, then
// 3 probes 10 s apart) or unacknowledged data (60 s).
extern const char* const postgresql_connection_defaults;

std::unique_ptr<soci::session> open_session(const storage_url& url);

} // namespace settle::persistence
