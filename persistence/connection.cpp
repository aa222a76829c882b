// Session setup per dialect.
#include "persistence/connection.hpp"

#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

namespace settle::persistence {

const char* const postgresql_connection_defaults =
  "connect_timeout=10 keepalives=1 keepalives_idle=30 keepalives_interval=10"
  " keepalives_count=3 tcp_user_timeout=60000";

std::unique_ptr<soci::session> open_session(const storage_url& url) {
  try {
    if (url.kind == dialect::sqlite) {
      auto session = std::make_unique<soci::session>(*soci::factory_sqlite3(), url.connection);
      // WAL lets readers proceed during a commit; FULL makes every commit durable
      // across power loss, which group commit keeps cheap.
      *session << "PRAGMA journal_mode=WAL";
      *session << "PRAGMA synchronous=FULL";
      *session << "PRAGMA foreign_keys=ON";
      // Tenants compare byte for byte, as they do on PostgreSQL: SQLite's LIKE ignores
      // ASCII case unless told otherwise (the event log is filtered by tenant with LIKE).
      *session << "PRAGMA case_sensitive_like=ON";
      return session;
    }
    // libpq waits forever by default: for a connection to a host that does not answer,
    // and on a connection whose peer vanished without a word. These bound both; the
    // URL's own settings come later and win (libpq takes a keyword's last value).
    return std::make_unique<soci::session>(*soci::factory_postgresql(),
                                           std::string{postgresql_connection_defaults} + " "
                                             + url.connection);
  } catch (const std::exception& error) {
    throw storage_error{std::string{"cannot open the database: "} + error.what()};
  }
}

} // namespace settle::persistence
