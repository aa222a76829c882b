// Tests the ledger writer's commit script on real SQLite and PostgreSQL databases: held
// statements and queries see each other in order, commit() carries the last query and
// returns its rows, a refused statement commits nothing and leaves the connection usable,
// a script dropped before commit() rolls back, and (PostgreSQL) a connection lost before
// COMMIT is never reported as a success.
#include "persistence/commit_script.hpp"

#include "persistence/connection.hpp"
#include "persistence/row_reading.hpp"
#include "tests/unit/support/test_database.hpp"

#include <catch2/catch.hpp>
#include <soci/soci.h>

#include <string>

namespace {

using settle::persistence::commit_script;
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
  auto kind = database.url().kind;
  {
    commit_script script{*session, kind};
    script.run("INSERT INTO items (id, name) VALUES (1, 'one')");
    script.run("INSERT INTO items (id, name) VALUES (2, 'two')");
    auto rows = script.query("SELECT id, name FROM items ORDER BY id");
    REQUIRE(rows.size() == 2);
    CHECK(settle::persistence::read_int64(rows[1], 0) == 2);
    CHECK(settle::persistence::read_text(rows[1], 1) == "two");
    script.run("INSERT INTO items (id, name) VALUES (3, 'three')");
    auto last = script.commit("SELECT COUNT(*), MAX(name) FROM items");
    REQUIRE(last.size() == 1);
    CHECK(settle::persistence::read_int64(last[0], 0) == 3);
    CHECK(settle::persistence::read_text(last[0], 1) == "two");
  }
  CHECK(count_rows(*session) == 3);
}

void a_refused_statement_commits_nothing(const test_database& database) {
  auto session = session_with_table(database);
  auto kind = database.url().kind;
  // PostgreSQL holds both statements until COMMIT; SQLite refuses the second at once.
  auto attempt = [&] {
    commit_script script{*session, kind};
    script.run("INSERT INTO items (id, name) VALUES (1, 'one')");
    script.run("INSERT INTO items (id, name) VALUES (1, 'the same id')");
    script.commit();
  };
  CHECK_THROWS(attempt());
  CHECK(count_rows(*session) == 0);
  // The connection is usable afterwards.
  commit_script again{*session, kind};
  again.run("INSERT INTO items (id, name) VALUES (1, 'one')");
  again.commit();
  CHECK(count_rows(*session) == 1);
}

void a_dropped_script_rolls_back(const test_database& database) {
  auto session = session_with_table(database);
  auto kind = database.url().kind;
  {
    commit_script script{*session, kind};
    script.run("INSERT INTO items (id, name) VALUES (1, 'one')");
    CHECK(script.query("SELECT id FROM items").size() == 1);
  }
  CHECK(count_rows(*session) == 0);
}

void a_refused_query_is_a_storage_error(const test_database& database) {
  auto session = session_with_table(database);
  commit_script script{*session, database.url().kind};
  CHECK_THROWS_AS(script.query("SELECT no_such_column FROM items"), storage_error);
}

// The writer's backend is ended by another session before COMMIT is sent. Depending on
// when the client notices, the send fails (a known rollback: storage_error) or the answer
// is lost (ambiguous_commit, a storage_error too, which stops the node); never success.
void a_lost_connection_is_an_unknown_outcome(const test_database& database) {
  auto session = session_with_table(database);
  long long backend = 0;
  *session << "SELECT pg_backend_pid()", soci::into(backend);
  commit_script script{*session, database.url().kind};
  script.query("SELECT 1");
  auto killer = settle::persistence::open_session(database.url());
  *killer << "SELECT pg_terminate_backend(" + std::to_string(backend) + ")";
  script.run("INSERT INTO items (id, name) VALUES (1, 'one')");
  CHECK_THROWS_AS(script.commit(), storage_error);
  CHECK(count_rows(*killer) == 0);
}

} // namespace

TEST_CASE("a commit script runs its statements in order and commits, on SQLite",
          "[commit_script][sqlite]") {
  settle::testing::run_on_sqlite(statements_run_in_order_and_commit);
  settle::testing::run_on_sqlite(a_refused_statement_commits_nothing);
  settle::testing::run_on_sqlite(a_dropped_script_rolls_back);
  settle::testing::run_on_sqlite(a_refused_query_is_a_storage_error);
}

TEST_CASE("a commit script runs its statements in order and commits, on PostgreSQL",
          "[commit_script][postgresql]") {
  settle::testing::run_on_postgresql(statements_run_in_order_and_commit);
  settle::testing::run_on_postgresql(a_refused_statement_commits_nothing);
  settle::testing::run_on_postgresql(a_dropped_script_rolls_back);
  settle::testing::run_on_postgresql(a_refused_query_is_a_storage_error);
}

TEST_CASE("a commit whose connection is lost fails and commits nothing, on PostgreSQL",
          "[commit_script][postgresql]") {
  settle::testing::run_on_postgresql(a_lost_connection_is_an_unknown_outcome);
}
