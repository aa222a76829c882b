// PostgreSQL through libpq on SOCI's own connection (see text_query); SQLite through SOCI.
#include "persistence/commit_script.hpp"

#include "domain/assert.hpp"
#include "persistence/connection.hpp"
#include "persistence/prepared_statements.hpp"
#include "persistence/row_batch.hpp"
#include "persistence/text_query.hpp"

#include <soci/soci.h>

#include <libpq-fe.h>

namespace settle::persistence {
namespace {

// SOCI's errors as the store's.
template <class Action>
auto translate_errors(Action action) {
  try {
    return action();
  } catch (const std::exception& error) {
    throw storage_error{error.what()};
  }
}

std::string with_rows(const std::string& sql, const std::string& relation) {
  constexpr std::string_view placeholder = "{rows}";
  auto position = sql.find(placeholder);
  SETTLE_ASSERT(position != std::string::npos);
  std::string text = sql;
  text.replace(position, placeholder.size(), relation);
  return text;
}

} // namespace

commit_script::commit_script(soci::session& session, dialect kind,
                             prepared_statements& prepared)
    : session_(session)
    , kind_(kind)
    , prepared_(prepared) {
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

std::string commit_script::over_rows(const std::string& sql, const row_batch& rows,
                                     std::size_t start, std::size_t end) {
  if (kind_ != dialect::postgresql) {
    return with_rows(sql, rows.relation(start, end));
  }
  return prepared_.execute(session_, with_rows(sql, rows.parameter_relation()),
                           rows.arguments(start, end));
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
    return query_text_rows(session_, kind_, statement);
  }
  // The held statements first, in the same simple query.
  std::string text = std::move(held_);
  held_.clear();
  held_count_ = 0;
  text += statement;
  return query_text_rows(session_, kind_, text);
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
  auto* connection = postgresql_connection(session_);
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
    postgresql_result result{PQgetResult(connection)};
    if (!result) {
      break;
    }
    auto status = PQresultStatus(result.get());
    if (status == PGRES_FATAL_ERROR && failure.empty()) {
      failure = postgresql_error(connection, result.get());
    } else if (index == last_query_result && !last_query.empty() && status == PGRES_TUPLES_OK) {
      rows = text_rows_of(result.get());
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
    postgresql_result result{PQexec(postgresql_connection(session_), "ROLLBACK")};
  } catch (const std::exception&) {
    // As above.
  }
}

} // namespace settle::persistence
