// libpq for PostgreSQL's simple query protocol, SOCI for SQLite.
#include "persistence/text_query.hpp"

#include "persistence/connection.hpp"
#include "persistence/row_reading.hpp"

#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>

#include <libpq-fe.h>

#include <memory>
#include <optional>

namespace settle::persistence {
namespace {

text_rows text_rows_of(soci::rowset<soci::row>& result) {
  std::optional<text_rows> rows;
  for (const auto& row : result) {
    if (!rows) {
      rows.emplace(row.size());
    }
    for (std::size_t column = 0; column < row.size(); ++column) {
      if (row.get_indicator(column) == soci::i_null) {
        rows->add(std::nullopt);
      } else if (row.get_properties(column).get_data_type() == soci::dt_string) {
        rows->add(row.get<std::string>(column));
      } else {
        rows->add(std::to_string(read_int64(row, column)));
      }
    }
  }
  return rows ? std::move(*rows) : text_rows{};
}

} // namespace

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

text_rows query_text_rows(soci::session& session, dialect kind, const std::string& sql) {
  if (kind != dialect::postgresql) {
    try {
      soci::rowset<soci::row> result = session.prepare << sql;
      return text_rows_of(result);
    } catch (const std::exception& error) {
      throw storage_error{error.what()};
    }
  }
  auto* connection = postgresql_connection(session);
  postgresql_result result{PQexec(connection, sql.c_str())};
  if (!result || PQresultStatus(result.get()) != PGRES_TUPLES_OK) {
    throw storage_error{postgresql_error(connection, result.get())};
  }
  return text_rows_of(result.get());
}

} // namespace settle::persistence
