// The statements of one transaction of the ledger writer, sent in as few round trips as
// the database allows. On PostgreSQL a simple query may carry several statements and is
// answered with the last one's result, so statements whose only result is success are
// held back and travel with the next query that returns rows, or with COMMIT: a group
// commit of transfers costs two round trips (it cost ten: one per statement, and for
// each statement with rows, SOCI's prepare and deallocate on top). SQLite is in-process
// and runs each statement as it comes. The transaction begins with the script and is
// rolled back if the script is destroyed before commit(). Statements over row batches
// are prepared once per connection on PostgreSQL (see prepared_statements).
#pragma once

#include "persistence/storage_url.hpp"
#include "persistence/text_rows.hpp"

#include <string>

namespace soci {
class session;
}

namespace settle::persistence {

class prepared_statements;
class row_batch;

class commit_script {
public:
  // `prepared` belongs to the session's connection and outlives the script.
  commit_script(soci::session& session, dialect kind, prepared_statements& prepared);
  ~commit_script();
  commit_script(const commit_script&) = delete;
  commit_script& operator=(const commit_script&) = delete;

  // `sql` with "{rows}" standing for rows [start, end) of `rows` (as a relation, see
  // row_batch): the text to give run(), query() or commit(). Throws storage_error when
  // PostgreSQL refuses to prepare it.
  std::string over_rows(const std::string& sql, const row_batch& rows, std::size_t start,
                        std::size_t end);

  // A statement whose result is only success or failure (INSERT, UPDATE, a lock).
  void run(const std::string& statement);

  // A statement that returns rows; the held statements run first, in the same round
  // trip. Throws storage_error when any of them fails.
  text_rows query(const std::string& statement);

  // The held statements, then `last_query` (if any, a statement that returns rows), then
  // COMMIT, all in one round trip; returns last_query's rows. Throws storage_error when
  // the database refused any of them (nothing was committed), ambiguous_commit when the
  // outcome is unknown (the connection failed after COMMIT may have run).
  text_rows commit(const std::string& last_query = {});

private:
  void rollback() noexcept;

  soci::session& session_;
  dialect kind_;
  prepared_statements& prepared_;
  std::string held_; // PostgreSQL: statements not sent yet, each ending with ';'
  std::size_t held_count_ = 0;
  bool finished_ = false;
};

} // namespace settle::persistence
