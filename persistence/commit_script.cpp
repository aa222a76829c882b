// PostgreSQL through libpq's PQexec on SOCI's own connection (SOCI 4.0 sends a query with
// rows as prepare, execute and deallocate: three round trips); SQLite through SOCI.
#include "persistence/commit_script.hpp"

#include "persistence/connection.hpp"
#include "persistence/row_reading.hpp"

#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>

#include <libpq-fe.h>

#include <memory>
#include <optional>

namespace settle::persistence {
namespace {

struct result_deleter {
  void operator()(PGresult* result) const { PQclear(result); }
};
using result_pointer = std::unique_ptr<PGresult, result_deleter>;

PGconn* connection_of(soci::session& session) {
  // By name: the shared library exports no type information for a dynamic_cast.
  if (session.get_backend_name() != "postgresql") {
    throw storage_error{"a PostgreSQL commit script on another database"};
  }
  return static_cast<soci::postgresql_session_backend*>(session.get_backend())->conn_;
}

std::string error_message(PGconn* connection, const PGresult* result) {
  std::string message = result != nullptr ? PQresultErrorMessage(result) : "";
  return message.empty() ? PQerrorMessage(connection) : message;
}

text_rows rows_of(const PGresult* result) {
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

text_rows rows_of(soci::rowset<soci::row>& result) {
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

// SOCI's errors as the store's.
template <class Action>
auto translate_errors(Action action) {
  try {
    return action();
  } catch (const std::exception& error) {
    throw storage_error{error.what()};
  }
}

} // namespace

commit_script::commit_script(soci::session& session, dialect kind)
    : session_(session)
    , kind_(kind) {
  if (kind_ == dialect::postgresql) {
    held_ = "BEGIN;";
    held_count_ = 1;
  } else {
    translate_errors([&] { session_.begin(); });
  }
}

commit_script::~commit_script() {
  if (!finished_) {
    rollback();
  }
}

void commit_script::run(const std::string& statement) {
  if (kind_ == dialect::postgresql) {
    held_ += statement;
    held_ += ';';
    ++held_count_;
  } else {
    translate_errors([&] { session_ << statement; });
  }
}

text_rows commit_script::query(const std::string& statement) {
  if (kind_ != dialect::postgresql) {
    return translate_errors([&] {
      soci::rowset<soci::row> result = session_.prepare << statement;
      return rows_of(result);
    });
  }
  auto* connection = connection_of(session_);
  std::string text = std::move(held_);
  held_.clear();
  held_count_ = 0;
  text += statement;
  result_pointer result{PQexec(connection, text.c_str())};
  if (!result || PQresultStatus(result.get()) != PGRES_TUPLES_OK) {
    throw storage_error{error_message(connection, result.get())};
  }
  return rows_of(result.get());
}

text_rows commit_script::commit(const std::string& last_query) {
  if (kind_ != dialect::postgresql) {
    auto rows = last_query.empty() ? text_rows{} : query(last_query);
    finished_ = true;
    try {
      session_.commit();
    } catch (const std::exception& error) {
      throw ambiguous_commit{error.what()};
    }
    return rows;
  }
  finished_ = true;
  auto* connection = connection_of(session_);
  std::size_t last_query_result = held_count_; // the results come in statement order
  std::string text = std::move(held_);
  held_.clear();
  if (!last_query.empty()) {
    text += last_query;
    text += ';';
  }
  text += "COMMIT;";
  if (PQsendQuery(connection, text.c_str()) == 0) {
    // Not sent whole, so COMMIT cannot have run; the connection is replaced.
    throw storage_error{PQerrorMessage(connection)};
  }
  text_rows rows;
  std::string failure;
  bool committed = false;
  for (std::size_t index = 0;; ++index) {
    result_pointer result{PQgetResult(connection)};
    if (!result) {
      break;
    }
    auto status = PQresultStatus(result.get());
    if (status == PGRES_FATAL_ERROR && failure.empty()) {
      failure = error_message(connection, result.get());
    } else if (index == last_query_result && !last_query.empty() && status == PGRES_TUPLES_OK) {
      rows = rows_of(result.get());
    } else if (status == PGRES_COMMAND_OK &&
               std::string_view{PQcmdStatus(result.get())} == "COMMIT") {
      committed = true;
    }
  }
  if (committed) {
    return rows;
  }
  if (failure.empty()) {
    failure = PQerrorMessage(connection);
  }
  // The database ends a transaction left idle too long (a paused node) by rolling it
  // back and closing the connection before the COMMIT arrives: that outcome is known.
  bool rolled_back = failure.find("idle-in-transaction timeout") != std::string::npos;
  if (!rolled_back && PQstatus(connection) != CONNECTION_OK) {
    throw ambiguous_commit{failure};
  }
  // The database answered: a statement failed (COMMIT did not run) or COMMIT itself
  // failed; either way it rolled the transaction back.
  rollback();
  throw storage_error{failure.empty() ? "the transaction was rolled back" : failure};
}

void commit_script::rollback() noexcept {
  finished_ = true;
  if (kind_ != dialect::postgresql) {
    try {
      session_.rollback();
    } catch (const std::exception&) {
      // The connection is replaced after a failed commit anyway.
    }
    return;
  }
  held_.clear();
  held_count_ = 0;
  try {
    result_pointer result{PQexec(connection_of(session_), "ROLLBACK")};
  } catch (const std::exception&) {
    // As above.
  }
}

} // namespace settle::persistence
