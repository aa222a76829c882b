// PostgreSQL through libpq's pipeline mode on SOCI's own connection: the statements of a
// round trip are queued with a sync point after them and their results read in order.
// After a refused statement the database skips the rest up to the sync point, so nothing
// after it (COMMIT included) runs. SQLite through query_bound, one statement at a time.
#include "persistence/commit_script.hpp"

#include "persistence/connection.hpp"
#include "persistence/prepared_statements.hpp"

#include <soci/soci.h>

#include <libpq-fe.h>

namespace settle::persistence {
namespace {

// SQLSTATE of a transaction ended by the server for idling too long inside it.
constexpr std::string_view idle_in_transaction_timeout = "25P03";

} // namespace

// What one round trip answered.
struct commit_script::exchange {
  std::size_t count = 0;                 // statements in the round trip
  std::size_t rows_of = 0;               // the one whose rows are kept
  std::size_t queued = 0;                // statements handed to libpq
  bool complete = false;                 // every result and the sync point arrived
  std::optional<std::size_t> refused_at; // the first statement that failed
  std::string failure;                   // why (the server's message or libpq's)
  std::string sqlstate;                  // the server's code for it; empty if libpq's
  std::string last_command;              // the last statement's tag, if it succeeded
  text_rows rows;                        // the rows of the statement asked for
};

commit_script::commit_script(soci::session& session, dialect kind,
                             prepared_statements& prepared)
    : session_(session)
    , kind_(kind)
    , prepared_(prepared) {
  if (kind_ == dialect::postgresql) {
    held_.emplace_back("BEGIN");
  } else {
    try {
      session_.begin();
    } catch (const std::exception& error) {
      throw storage_error{error.what()};
    }
  }
}

commit_script::~commit_script() {
  if (in_flight_) {
    // A caller awaits what it sends; should one not, the answers are read so that the
    // connection leaves pipeline mode (the outcome goes unreported).
    try {
      read_pipeline();
    } catch (const std::exception&) {
      // The connection is replaced after a failure anyway.
    }
    finished_ = true;
  }
  if (!finished_) {
    rollback();
  }
}

void commit_script::run(sql_statement statement) {
  if (kind_ == dialect::postgresql) {
    held_.push_back(std::move(statement));
  } else {
    query_bound(session_, kind_, statement.sql, statement.values);
  }
}

text_rows commit_script::query(sql_statement statement) {
  if (kind_ != dialect::postgresql) {
    return query_bound(session_, kind_, statement.sql, statement.values);
  }
  held_.push_back(std::move(statement));
  auto answer = send_held(held_.size() - 1);
  if (!answer.complete || answer.refused_at) {
    rollback();
    throw storage_error{answer.failure.empty() ? "the database did not answer" : answer.failure,
                        answer.sqlstate};
  }
  return std::move(answer.rows);
}

text_rows commit_script::commit(std::optional<sql_statement> last_query) {
  send_commit(std::move(last_query));
  return await_commit();
}

void commit_script::send_commit(std::optional<sql_statement> last_query) {
  if (kind_ != dialect::postgresql) {
    held_last_query_ = std::move(last_query); // SQLite runs in-process: nothing to overlap
    return;
  }
  bool returns_rows = last_query.has_value();
  if (last_query) {
    held_.push_back(std::move(*last_query));
  }
  held_.emplace_back("COMMIT");
  commit_index_ = held_.size() - 1;
  send_pipeline(returns_rows ? commit_index_ - 1 : commit_index_);
}

text_rows commit_script::await_commit() {
  if (kind_ != dialect::postgresql) {
    auto rows = held_last_query_ ? query(std::move(*held_last_query_)) : text_rows{};
    held_last_query_.reset();
    finished_ = true;
    try {
      session_.commit();
    } catch (const std::exception& error) {
      throw ambiguous_commit{error.what()};
    }
    return rows;
  }
  if (!in_flight_) {
    throw storage_error{"no COMMIT was sent"};
  }
  auto answer = read_pipeline();
  finished_ = true;
  // COMMIT's own answer is the proof, whatever follows it (a server told to stop may
  // send its reason right after, in place of the sync point).
  if (answer.last_command == "COMMIT") {
    return std::move(answer.rows);
  }
  auto* connection = postgresql_connection(session_);
  // COMMIT cannot have run if it was never handed to libpq, or if the server ended the
  // transaction for idling; and if every answer up to the sync point arrived, a refusal
  // before COMMIT is what it says. An answer cut short proves nothing: a server told to
  // shut down at once discards the answers it has not sent yet (COMMIT's among them,
  // durable or not) and sends only its reason (57P01), which is then read as the answer
  // to an earlier statement.
  bool rolled_back = answer.queued < commit_index_
                     || answer.sqlstate == idle_in_transaction_timeout
                     || (answer.complete && PQstatus(connection) == CONNECTION_OK);
  if (!rolled_back) {
    throw ambiguous_commit{answer.failure.empty() ? "the connection failed during COMMIT"
                                                  : answer.failure};
  }
  rollback();
  throw storage_error{answer.failure.empty() ? "the transaction was rolled back" : answer.failure,
                      answer.sqlstate};
}

// Sends the held statements and a sync point in one pipeline and reads every answer;
// keeps the rows of statement `rows_of`. Throws storage_error only when nothing was sent.
commit_script::exchange commit_script::send_held(std::size_t rows_of) {
  send_pipeline(rows_of);
  return read_pipeline();
}

// The sending half of send_held: the answers are left for read_pipeline().
void commit_script::send_pipeline(std::size_t rows_of) {
  auto* connection = postgresql_connection(session_);
  // Prepared before the pipeline starts (PQprepare waits for its answer): only the
  // first time a connection sees a statement.
  std::vector<const std::string*> names;
  for (const auto& statement : held_) {
    names.push_back(statement.values.empty() ? nullptr
                                             : &prepared_.name_of(session_, statement.sql));
  }
  if (PQenterPipelineMode(connection) == 0) {
    throw storage_error{PQerrorMessage(connection)};
  }
  auto statements = std::move(held_);
  held_.clear();
  exchange answer;
  answer.count = statements.size();
  answer.rows_of = rows_of;
  for (std::size_t index = 0; index < statements.size(); ++index) {
    postgresql_parameters parameters{statements[index].values};
    int sent = names[index] != nullptr
                 ? PQsendQueryPrepared(connection, names[index]->c_str(), parameters.count(),
                                       parameters.values(), nullptr, nullptr, 0)
                 : PQsendQueryParams(connection, statements[index].sql.c_str(), 0, nullptr,
                                     nullptr, nullptr, nullptr, 0);
    if (sent == 0) {
      break;
    }
    ++answer.queued;
  }
  if (answer.queued == statements.size() && PQpipelineSync(connection) == 0) {
    answer.failure = PQerrorMessage(connection);
  }
  in_flight_ = std::make_unique<exchange>(std::move(answer));
}

// Reads every answer of the round trip in flight; even after a failed send, since the
// server's last words (why it closed) may be there.
commit_script::exchange commit_script::read_pipeline() {
  auto answer = std::move(*in_flight_);
  in_flight_.reset();
  auto* connection = postgresql_connection(session_);
  read_answers(connection, answer.count, answer.rows_of, answer);
  PQexitPipelineMode(connection); // fails only with answers unread: the connection is replaced
  return answer;
}

void commit_script::read_answers(pg_conn* connection, std::size_t count, std::size_t rows_of,
                                 exchange& answer) {
  // Each statement's results end with a null; then comes the sync point.
  for (std::size_t index = 0; index <= count;) {
    postgresql_result result{PQgetResult(connection)};
    if (!result) {
      if (PQstatus(connection) != CONNECTION_OK) {
        break;
      }
      ++index;
      continue;
    }
    auto status = PQresultStatus(result.get());
    if (status == PGRES_PIPELINE_SYNC) {
      answer.complete = index == count;
      break;
    }
    if (status == PGRES_FATAL_ERROR) {
      if (!answer.refused_at) {
        answer.refused_at = index;
        answer.failure = postgresql_error(connection, result.get());
        const char* code = PQresultErrorField(result.get(), PG_DIAG_SQLSTATE);
        answer.sqlstate = code != nullptr ? code : "";
      }
      if (PQstatus(connection) != CONNECTION_OK) {
        break; // nothing more can arrive
      }
    } else if (status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK) {
      if (index == rows_of) {
        answer.rows = text_rows_of(result.get());
      }
      if (index + 1 == count) {
        answer.last_command = PQcmdStatus(result.get());
      }
    }
  }
  if (answer.failure.empty() && !answer.complete) {
    answer.failure = PQerrorMessage(connection);
  }
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
  try {
    postgresql_result result{PQexec(postgresql_connection(session_), "ROLLBACK")};
  } catch (const std::exception&) {
    // As above.
  }
}

} // namespace settle::persistence
