// libpq for PostgreSQL, SQLite's own API for SQLite, both on SOCI's connections.
#include "persistence/text_query.hpp"

#include "persistence/connection.hpp"

#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h> // sqlite3.h, inside namespace sqlite_api

#include <libpq-fe.h>

#include <memory>

namespace settle::persistence {
namespace {

text_rows rows_or_error(PGconn* connection, const postgresql_result& result) {
  auto status = result ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
    throw storage_error{postgresql_error(connection, result.get())};
  }
  return persistence::text_rows_of(result.get());
}

using namespace sqlite_api;

struct sqlite_statement_deleter {
  void operator()(sqlite3_stmt* statement) const noexcept { sqlite3_finalize(statement); }
};

// The position of the value `index` (from 0) in the statement, 0 if it has none. A row
// batch writes SQLite's numbered parameters ?1, ?2, ... (bound by position: looking
// thousands of names up one by one was a tenth of the writer's CPU); the text shared with
// PostgreSQL has $1, $2, ..., which SQLite numbers in the order they first appear, so
// each is looked up by its name and "$2 ... $1" binds as it reads.
int sqlite_position(sqlite3_stmt* statement, std::size_t index, bool numbered) {
  if (numbered) {
    return static_cast<int>(index + 1);
  }
  auto name = "$" + std::to_string(index + 1);
  return sqlite3_bind_parameter_index(statement, name.c_str());
}

void bind_sqlite(sqlite3* database, sqlite3_stmt* statement, const std::vector<sql_value>& values) {
  const char* first = sqlite3_bind_parameter_name(statement, 1);
  bool numbered = first != nullptr && first[0] == '?';
  auto parameters = static_cast<std::size_t>(sqlite3_bind_parameter_count(statement));
  if (numbered && values.size() != parameters) {
    throw storage_error{"a statement's numbered parameters and its values differ in count"};
  }
  for (std::size_t index = 0; index < values.size(); ++index) {
    int position = sqlite_position(statement, index, numbered);
    if (position == 0) {
      continue; // a value the statement does not use
    }
    const auto& value = values[index];
    int status = SQLITE_OK;
    if (const auto* text = std::get_if<std::string>(&value)) {
      status = sqlite3_bind_text(statement, position, text->data(), static_cast<int>(text->size()),
                                 SQLITE_TRANSIENT);
    } else if (const auto* number = std::get_if<std::int64_t>(&value)) {
      status = sqlite3_bind_int64(statement, position, *number);
    } else {
      status = sqlite3_bind_null(statement, position);
    }
    if (status != SQLITE_OK) {
      throw storage_error{sqlite3_errmsg(database)};
    }
  }
}

text_rows query_sqlite(soci::session& session, const std::string& sql,
                       const std::vector<sql_value>& values) {
  auto* database = static_cast<soci::sqlite3_session_backend*>(session.get_backend())->conn_;
  sqlite3_stmt* prepared = nullptr;
  if (sqlite3_prepare_v2(database, sql.c_str(), static_cast<int>(sql.size()), &prepared, nullptr)
      != SQLITE_OK) {
    throw storage_error{sqlite3_errmsg(database)};
  }
  std::unique_ptr<sqlite3_stmt, sqlite_statement_deleter> statement{prepared};
  bind_sqlite(database, statement.get(), values);
  text_rows rows{static_cast<std::size_t>(sqlite3_column_count(statement.get()))};
  int status = SQLITE_ROW;
  while ((status = sqlite3_step(statement.get())) == SQLITE_ROW) {
    for (int column = 0; column < sqlite3_column_count(statement.get()); ++column) {
      const auto* text = sqlite3_column_text(statement.get(), column);
      if (text == nullptr) {
        rows.add(std::nullopt);
      } else {
        rows.add(std::string{reinterpret_cast<const char*>(text),
                             static_cast<std::size_t>(sqlite3_column_bytes(statement.get(), column))});
      }
    }
  }
  if (status != SQLITE_DONE) {
    throw storage_error{sqlite3_errmsg(database)};
  }
  return rows;
}

} // namespace

std::string postgresql_integer_array(const std::vector<std::int64_t>& values) {
  std::string array = "{";
  for (std::size_t index = 0; index < values.size(); ++index) {
    array += index == 0 ? "" : ",";
    array += std::to_string(values[index]);
  }
  return array + "}";
}

// Texts are pointed at where they are (a group commit's arrays run to megabytes); only
// integers are written out, into texts_, reserved up front so that no pointer moves.
postgresql_parameters::postgresql_parameters(const std::vector<sql_value>& values) {
  texts_.reserve(values.size());
  for (const auto& value : values) {
    if (const auto* text = std::get_if<std::string>(&value)) {
      pointers_.push_back(text->c_str());
    } else if (const auto* number = std::get_if<std::int64_t>(&value)) {
      texts_.push_back(std::to_string(*number));
      pointers_.push_back(texts_.back().c_str());
    } else {
      pointers_.push_back(nullptr);
    }
  }
}

text_rows query_bound(soci::session& session, dialect kind, const std::string& sql,
                      const std::vector<sql_value>& values) {
  if (kind != dialect::postgresql) {
    return query_sqlite(session, sql, values);
  }
  auto* connection = postgresql_connection(session);
  postgresql_parameters parameters{values};
  postgresql_result result{PQexecParams(connection, sql.c_str(), parameters.count(), nullptr,
                                        parameters.values(), nullptr, nullptr, 0)};
  return rows_or_error(connection, result);
}

text_rows query_prepared(soci::session& session, const std::string& name,
                         const std::vector<sql_value>& values) {
  auto* connection = postgresql_connection(session);
  postgresql_parameters parameters{values};
  postgresql_result result{PQexecPrepared(connection, name.c_str(), parameters.count(),
                                          parameters.values(), nullptr, nullptr, 0)};
  return rows_or_error(connection, result);
}

void postgresql_result_deleter::operator()(PGresult* result) const noexcept {
  PQclear(result);
}

PGconn* postgresql_connection(soci::session& session) {
  // By name: the shared library exports no type information for a dynamic_cast.
  if (session.get_backend_name() != "postgresql") {
    throw storage_error{"a PostgreSQL query on another database"};
  }
  return static_cast<soci::postgresql_session_backend*>(session.get_backend())->conn_;
}

std::string postgresql_error(PGconn* connection, const PGresult* result) {
  std::string message = result != nullptr ? PQresultErrorMessage(result) : "";
  return message.empty() ? PQerrorMessage(connection) : message;
}

text_rows text_rows_of(const PGresult* result) {
  text_rows rows{static_cast<std::size_t>(PQnfields(result))};
  for (int row = 0; row < PQntuples(result); ++row) {
    for (int column = 0; column < PQnfields(result); ++column) {
      if (PQgetisnull(result, row, column) != 0) {
        rows.add(std::nullopt);
      } else {
        rows.add(std::string{PQgetvalue(result, row, column),
                             static_cast<std::size_t>(PQgetlength(result, row, column))});
      }
    }
  }
  return rows;
}

} // namespace settle::persistence
