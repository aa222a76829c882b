// Tests the ledger writer's commit script on real SQLite and PostgreSQL databases: held
// statements and queries see each other in order, commit() carries the last query and
// returns its rows, values are bound, a refused statement commits nothing and leaves the
// connection usable, a script dropped before commit() rolls back, statements over rows
// are prepared once per connection and still run after a rollback, and (PostgreSQL) a
// connection lost before COMMIT is never reported as a success.
#include "persistence/commit_script.hpp"

#include "persistence/connection.hpp"
#include "persistence/prepared_statements.hpp"
#include "persistence/row_batch.hpp"
#include "persistence/row_reading.hpp"
#include "tests/unit/support/hostile_values.hpp"
#include "tests/unit/support/test_database.hpp"

#include <catch2/catch.hpp>
#include <soci/soci.h>

#include <string>

namespace {

using settle::persistence::commit_script;
using settle::persistence::prepared_statements;
using settle::persistence::row_batch;
using settle::persistence::sql_statement;
using settle::persistence::storage_error;
using settle::testing::test_database;

long long count_rows(soci::session& session) {
  long long count = 0;
  session << "SELECT COUNT(*) FROM items", soci::into(count);
  return count;
}

std::unique_ptr<soci::session> session_with_table(const test_database& database) {
  auto session = settle::persistence::open_session(database.url());
  *session << "CREATE TABLE items (id BIGINT PRIMARY KEY, name TEXT NOT NULL)";
  return session;
}

void statements_run_in_order_and_commit(const test_database& database) {
  auto session = session_with_table(database);
  prepared_statements prepared;
  auto kind = database.url().kind;
  {
    commit_script script{*session, kind, prepared};
    script.run({"INSERT INTO items (id, name) VALUES (1, 'one')"});
    script.run({"INSERT INTO items (id, name) VALUES (2, 'two')"});
    auto rows = script.query({"SELECT id, name FROM items ORDER BY id"});
    REQUIRE(rows.size() == 2);
    CHECK(settle::persistence::read_int64(rows[1], 0) == 2);
    CHECK(settle::persistence::read_text(rows[1], 1) == "two");
    script.run({"INSERT INTO items (id, name) VALUES (3, 'three')"});
    auto last = script.commit(sql_statement{"SELECT COUNT(*), MAX(name) FROM items"});
    REQUIRE(last.size() == 1);
    CHECK(settle::persistence::read_int64(last[0], 0) == 3);
    CHECK(settle::persistence::read_text(last[0], 1) == "two");
  }
  CHECK(count_rows(*session) == 3);
}

// Values travel bound (the same statement run with each hostile text), and commit()
// returns the rows of its last query, not those of a held statement that returns rows.
void values_are_bound_and_the_last_query_answers(const test_database& database) {
  auto session = session_with_table(database);
  prepared_statements prepared;
  const auto& texts = settle::testing::hostile_values;
  {
    commit_script script{*session, database.url().kind, prepared};
    for (std::size_t index = 0; index < texts.size(); ++index) {
      script.run({"INSERT INTO items (id, name) VALUES ($1, $2)",
                  {static_cast<std::int64_t>(index), texts[index]}});
    }
    script.run({"SELECT 42"});
    auto rows = script.commit(sql_statement{"SELECT name FROM items WHERE id = $1",
                                            {std::int64_t{1}}});
    REQUIRE(rows.size() == 1);
    CHECK(settle::persistence::read_text(rows[0], 0) == texts[1]);
  }
  CHECK(count_rows(*session) == static_cast<long long>(texts.size()));
}

void a_refused_statement_commits_nothing(const test_database& database) {
  auto session = session_with_table(database);
  prepared_statements prepared;
  auto kind = database.url().kind;
  // PostgreSQL holds both statements until COMMIT; SQLite refuses the second at once.
  auto attempt = [&] {
    commit_script script{*session, kind, prepared};
    script.run({"INSERT INTO items (id, name) VALUES (1, 'one')"});
    script.run({"INSERT INTO items (id, name) VALUES (1, 'the same id')"});
    script.commit();
  };
  CHECK_THROWS(attempt());
  CHECK(count_rows(*session) == 0);
  // The connection is usable afterwards.
  commit_script again{*session, kind, prepared};
  again.run({"INSERT INTO items (id, name) VALUES (1, 'one')"});
  again.commit();
  CHECK(count_rows(*session) == 1);
}

void a_dropped_script_rolls_back(const test_database& database) {
  auto session = session_with_table(database);
  prepared_statements prepared;
  auto kind = database.url().kind;
  {
    commit_script script{*session, kind, prepared};
    script.run({"INSERT INTO items (id, name) VALUES (1, 'one')"});
    CHECK(script.query({"SELECT id FROM items"}).size() == 1);
  }
  CHECK(count_rows(*session) == 0);
}

void a_refused_query_is_a_storage_error(const test_database& database) {
  auto session = session_with_table(database);
  prepared_statements prepared;
  commit_script script{*session, database.url().kind, prepared};
  CHECK_THROWS_AS(script.query({"SELECT no_such_column FROM items"}), storage_error);
}

// The writer's backend is ended by another session before COMMIT is sent. Depending on
// when the client notices, the send fails (a known rollback: storage_error) or the answer
// is lost (ambiguous_commit, a storage_error too, whose outcome the writer then learns from
// the database); never success.
void a_lost_connection_is_an_unknown_outcome(const test_database& database) {
  auto session = session_with_table(database);
  prepared_statements prepared;
  long long backend = 0;
  *session << "SELECT pg_backend_pid()", soci::into(backend);
  commit_script script{*session, database.url().kind, prepared};
  script.query({"SELECT 1"});
  auto killer = settle::persistence::open_session(database.url());
  *killer << "SELECT pg_terminate_backend(" + std::to_string(backend) + ")";
  script.run({"INSERT INTO items (id, name) VALUES (1, 'one')"});
  CHECK_THROWS_AS(script.commit(), storage_error);
  CHECK(count_rows(*killer) == 0);
}

// The same statement over rows, in a script that is refused and in one that commits, then
// on a new connection: prepared once per connection, kept through a rollback.
void statements_over_rows_are_prepared_once(const test_database& database) {
  auto session = session_with_table(database);
  prepared_statements prepared;
  auto kind = database.url().kind;
  const std::string insert = "INSERT INTO items (id, name) {rows}";
  auto insert_items = [&](soci::session& on, std::int64_t first, std::int64_t last) {
    row_batch rows{kind};
    for (auto id = first; id <= last; ++id) {
      rows.integer(id).text("item " + std::to_string(id)).end_row();
    }
    commit_script script{on, kind, prepared};
    script.query({"SELECT 1"}); // the transaction is open before the statement is prepared
    script.run(rows.statement(insert, 0, rows.size()));
    script.commit();
  };
  *session << "INSERT INTO items (id, name) VALUES (3, 'three')";
  // Prepared inside a transaction that is then rolled back: the statement stays.
  CHECK_THROWS_AS(insert_items(*session, 1, 3), storage_error);
  CHECK(count_rows(*session) == 1);
  insert_items(*session, 4, 5);
  CHECK(count_rows(*session) == 3);
  if (kind == settle::persistence::dialect::postgresql) {
    long long statements = 0;
    *session << "SELECT COUNT(*) FROM pg_prepared_statements", soci::into(statements);
    CHECK(statements == 1);
  }
  auto other = settle::persistence::open_session(database.url());
  prepared.clear();
  insert_items(*other, 6, 6);
  CHECK(count_rows(*session) == 4);
}

} // namespace

TEST_CASE("a commit script runs its statements in order and commits, on SQLite",
          "[commit_script][sqlite]") {
  settle::testing::run_on_sqlite(statements_run_in_order_and_commit);
  settle::testing::run_on_sqlite(values_are_bound_and_the_last_query_answers);
  settle::testing::run_on_sqlite(a_refused_statement_commits_nothing);
  settle::testing::run_on_sqlite(a_dropped_script_rolls_back);
  settle::testing::run_on_sqlite(a_refused_query_is_a_storage_error);
  settle::testing::run_on_sqlite(statements_over_rows_are_prepared_once);
}

TEST_CASE("a commit script runs its statements in order and commits, on PostgreSQL",
          "[commit_script][postgresql]") {
  settle::testing::run_on_postgresql(statements_run_in_order_and_commit);
  settle::testing::run_on_postgresql(values_are_bound_and_the_last_query_answers);
  settle::testing::run_on_postgresql(a_refused_statement_commits_nothing);
  settle::testing::run_on_postgresql(a_dropped_script_rolls_back);
  settle::testing::run_on_postgresql(a_refused_query_is_a_storage_error);
  settle::testing::run_on_postgresql(statements_over_rows_are_prepared_once);
}

TEST_CASE("a commit whose connection is lost fails and commits nothing, on PostgreSQL",
          "[commit_script][postgresql]") {
  settle::testing::run_on_postgresql(a_lost_connection_is_an_unknown_outcome);
}
