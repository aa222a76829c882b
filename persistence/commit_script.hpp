// The statements of one transaction of the ledger writer, sent in as few round trips as
// the database allows, every value bound. On PostgreSQL the statements go out in libpq's
// pipeline mode: statements whose only result is success are held back and travel with
// the next statement that returns rows, or with COMMIT, so a group commit of transfers
// costs two round trips (it cost ten: one per statement, and for each statement with
// rows, SOCI's prepare and deallocate on top). Statements with values are prepared once
// per connection (see prepared_statements). SQLite is in-process and runs each statement
// as it comes. The transaction begins with the script and is rolled back if the script
// is destroyed before commit().
#pragma once

#include "persistence/storage_url.hpp"
#include "persistence/text_query.hpp"
#include "persistence/text_rows.hpp"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace soci {
class session;
}

struct pg_conn;

namespace settle::persistence {

class prepared_statements;

class commit_script {
public:
  // `prepared` belongs to the session's connection and outlives the script.
  commit_script(soci::session& session, dialect kind, prepared_statements& prepared);
  ~commit_script();
  commit_script(const commit_script&) = delete;
  commit_script& operator=(const commit_script&) = delete;

  // A statement whose result is only success or failure (INSERT, UPDATE, a lock).
  void run(sql_statement statement);

  // A statement that returns rows; the held statements run first, in the same round
  // trip. Throws storage_error when any of them fails.
  text_rows query(sql_statement statement);

  // The held statements, then `last_query` (if any, a statement that returns rows), then
  // COMMIT, all in one round trip; returns last_query's rows. Throws storage_error when
  // the database refused any of them (nothing was committed), ambiguous_commit when the
  // outcome is unknown (the connection failed after COMMIT may have run).
  text_rows commit(std::optional<sql_statement> last_query = std::nullopt);

  // commit() in two halves, so that the caller can work on another connection while
  // this round trip is on its way: send_commit() hands everything to the database and
  // returns without waiting; await_commit() reads the answers and throws as commit()
  // does. Once sent, the commit must be awaited: only its answer tells its outcome.
  void send_commit(std::optional<sql_statement> last_query = std::nullopt);
  text_rows await_commit();

private:
  struct exchange;
  exchange send_held(std::size_t rows_of);
  void send_pipeline(std::size_t rows_of);
  exchange read_pipeline();
  static void read_answers(pg_conn* connection, std::size_t count, std::size_t rows_of,
                           exchange& answer);
  void rollback() noexcept;

  soci::session& session_;
  dialect kind_;
  prepared_statements& prepared_;
  std::vector<sql_statement> held_; // PostgreSQL: statements not sent yet
  bool finished_ = false;
  // The round trip sent and not read yet (PostgreSQL), or SQLite's last query held
  // until await_commit().
  std::unique_ptr<exchange> in_flight_;
  std::size_t commit_index_ = 0;
  std::optional<sql_statement> held_last_query_;
};

} // namespace settle::persistence
