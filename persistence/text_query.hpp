// Queries answered as text rows, in one round trip, with every value bound. PostgreSQL is
// asked through libpq on SOCI's own connection (SOCI 4.0 sends a query with rows as
// prepare, execute and deallocate: three round trips); SQLite through its own prepared
// statements.
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

// A value for a statement's parameter: NULL, text, or an integer.
using sql_value = std::variant<std::monostate, std::string, std::int64_t>;

// A statement with parameters $1, $2, ... (the same text on both databases) and the
// values bound to them, never spliced into the SQL, so no server setting changes what it
// means.
struct sql_statement {
  sql_statement(std::string text, std::vector<sql_value> bound = {})
      : sql(std::move(text))
      , values(std::move(bound)) {}

  std::string sql;
  std::vector<sql_value> values;
};

// Runs one statement and returns its rows; throws storage_error when the database
// refuses it.
text_rows query_bound(soci::session& session, dialect kind, const std::string& sql,
                      const std::vector<sql_value>& values = {});

// PostgreSQL: runs the statement prepared as `name` with `values` (see query_bound).
text_rows query_prepared(soci::session& session, const std::string& name,
                         const std::vector<sql_value>& values);

// "{1,2,3}": integers as one PostgreSQL array value, bound to CAST($n AS BIGINT[]).
std::string postgresql_integer_array(const std::vector<std::int64_t>& values);

// The values as libpq takes them: text, or a null pointer for NULL. Points into `values`,
// which must outlive it.
class postgresql_parameters {
public:
  explicit postgresql_parameters(const std::vector<sql_value>& values);
  int count() const { return static_cast<int>(pointers_.size()); }
  const char* const* values() const { return pointers_.data(); }

private:
  std::vector<std::string> texts_;
  std::vector<const char*> pointers_;
};

// For the commit script, which sends a transaction's statements itself.
struct postgresql_result_deleter {
  void operator()(pg_result* result) const noexcept;
};
using postgresql_result = std::unique_ptr<pg_result, postgresql_result_deleter>;

pg_conn* postgresql_connection(soci::session& session);
text_rows text_rows_of(const pg_result* result);
std::string postgresql_error(pg_conn* connection, const pg_result* result);

} // namespace settle::persistence
