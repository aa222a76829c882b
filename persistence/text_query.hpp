// Queries answered as text rows, in one round trip. PostgreSQL is asked through libpq's
// simple query protocol on SOCI's own connection (SOCI 4.0 sends a query with rows as
// prepare, execute and deallocate: three round trips, the reader's and writer's largest
// cost per query in perf and strace); SQLite is in-process and asked through SOCI.
#pragma once

#include "persistence/storage_url.hpp"
#include "persistence/text_rows.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <variant>
#include <vector>

namespace soci {
class session;
}

struct pg_conn;
struct pg_result;

namespace settle::persistence {

// Runs `sql` (on PostgreSQL it may be several statements: the last one's rows are
// returned) and returns its rows. Throws storage_error when the database refuses it.
// For text without values only: values go through query_bound.
text_rows query_text_rows(soci::session& session, dialect kind, const std::string& sql);

// A value for a statement's parameter: NULL, text, or an integer.
using sql_value = std::variant<std::monostate, std::string, std::int64_t>;

// Runs one statement whose parameters $1, $2, ... (the same text on both databases) are
// bound to `values`, never spliced into the SQL, so no server setting changes what it
// means. Returns its rows; throws storage_error when the database refuses it.
text_rows query_bound(soci::session& session, dialect kind, const std::string& sql,
                      const std::vector<sql_value>& values);

// PostgreSQL: runs the statement prepared as `name` with `values` (see query_bound).
text_rows query_prepared(soci::session& session, const std::string& name,
                         const std::vector<sql_value>& values);

// For the commit script, which sends a transaction's last statements itself.
struct postgresql_result_deleter {
  void operator()(pg_result* result) const noexcept;
};
using postgresql_result = std::unique_ptr<pg_result, postgresql_result_deleter>;

pg_conn* postgresql_connection(soci::session& session);
text_rows text_rows_of(const pg_result* result);
std::string postgresql_error(pg_conn* connection, const pg_result* result);

} // namespace settle::persistence
