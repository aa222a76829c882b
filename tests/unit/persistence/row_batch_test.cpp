// Tests the rows of a multi-row statement on real SQLite and PostgreSQL databases: every
// awkward text (quotes, backslashes, the array syntax's own characters, non-ASCII), empty
// text versus NULL, extreme integers, and chunks that split the rows, all read back
// exactly and in order, as a bound statement and as a commit script's statement (prepared
// on PostgreSQL, with the arrays as bound values); and an UPDATE joined to the same
// relation.
#include "persistence/row_batch.hpp"

#include "persistence/commit_script.hpp"
#include "persistence/connection.hpp"
#include "persistence/prepared_statements.hpp"
#include "persistence/text_query.hpp"
#include "tests/unit/support/test_database.hpp"

#include <catch2/catch.hpp>
#include <soci/soci.h>

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

namespace {

using settle::persistence::row_batch;
using settle::testing::test_database;

struct sample {
  std::string name;
  std::string note; // empty = NULL
  std::int64_t amount = 0;
};

const std::vector<std::string> awkward_texts{
    "plain", "",           "it's",      "''",          "back\\slash",
    "\\",    "\"quoted\"", "{braces}",  "a,b",         "NULL",
    "null",  " spaced ",   "tab\there", "line\nbreak", "caf\xc3\xa9 \xe2\x82\xac",
    "$1",    ":name",      "(paren)",   "}",           "{",
    "\\\"",  "'\"\\{},"};

std::vector<sample> samples() {
  std::vector<sample> rows;
  std::int64_t amounts[] = {0, 1, -1, std::numeric_limits<std::int64_t>::max(),
                            std::numeric_limits<std::int64_t>::min() + 1};
  std::size_t index = 0;
  for (const auto& text : awkward_texts) {
    rows.push_back(sample{text, index % 3 == 0 ? std::string{} : text + "!", amounts[index % 5]});
    ++index;
  }
  return rows;
}

std::vector<sample> read_back(soci::session& session) {
  std::vector<sample> rows;
  soci::rowset<soci::row> result = session.prepare << "SELECT name, note, amount FROM samples"
                                                      " ORDER BY position";
  for (const auto& row : result) {
    sample item;
    item.name = row.get<std::string>(0);
    item.note = row.get_indicator(1) == soci::i_null ? std::string{} : row.get<std::string>(1);
    item.amount = row.get<long long>(2);
    rows.push_back(item);
  }
  return rows;
}

enum class statement_form { bound, script };

// Inserts the rows `chunk` per statement, in the given form.
void insert_samples(soci::session& session, settle::persistence::dialect kind,
                    const row_batch& rows, std::size_t chunk, statement_form form) {
  const std::string insert = "INSERT INTO samples (position, name, note, amount) ";
  settle::persistence::prepared_statements prepared;
  std::optional<settle::persistence::commit_script> script;
  if (form == statement_form::script) {
    script.emplace(session, kind, prepared);
  }
  for (std::size_t start = 0; start < rows.size(); start += chunk) {
    std::size_t end = std::min(rows.size(), start + chunk);
    auto statement = rows.statement(insert + "{rows}", start, end);
    if (script) {
      script->run(std::move(statement));
    } else {
      settle::persistence::query_bound(session, kind, statement.sql, statement.values);
    }
  }
  if (script) {
    script->commit();
  }
}

// Inserts the samples `chunk` rows per statement, then reads them back.
void round_trip(const test_database& database, std::size_t chunk, statement_form form) {
  auto url = database.url();
  auto session = settle::persistence::open_session(url);
  *session << "DROP TABLE IF EXISTS samples";
  *session << "CREATE TABLE samples (position BIGINT NOT NULL, name TEXT NOT NULL,"
              " note TEXT, amount BIGINT NOT NULL)";
  row_batch rows{url.kind};
  auto expected = samples();
  std::int64_t position = 0;
  for (const auto& item : expected) {
    rows.integer(position++)
        .text(item.name)
        .nullable_text(item.note)
        .integer(item.amount)
        .end_row();
  }
  REQUIRE(rows.size() == expected.size());
  insert_samples(*session, url.kind, rows, chunk, form);
  auto stored = read_back(*session);
  REQUIRE(stored.size() == expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    INFO("row " << i << ": " << expected[i].name);
    CHECK(stored[i].name == expected[i].name);
    CHECK(stored[i].note == expected[i].note);
    CHECK(stored[i].amount == expected[i].amount);
  }
  // NULL and empty text stay apart: the empty name is text, its note is NULL.
  long long nulls = 0;
  *session << "SELECT COUNT(*) FROM samples WHERE note IS NULL", soci::into(nulls);
  CHECK(nulls == static_cast<long long>((expected.size() + 2) / 3));
}

void whole_batch_round_trip(const test_database& database) {
  round_trip(database, 1000, statement_form::bound);
  round_trip(database, 1000, statement_form::script);
}

void chunked_round_trip(const test_database& database) {
  round_trip(database, 5, statement_form::bound);
  round_trip(database, 5, statement_form::script);
}

// The relation joined by an UPDATE, as the netted balance change uses it.
void update_joins_the_relation(const test_database& database) {
  auto url = database.url();
  auto session = settle::persistence::open_session(url);
  *session << "CREATE TABLE balances (id TEXT PRIMARY KEY, balance BIGINT NOT NULL)";
  *session << "INSERT INTO balances (id, balance) VALUES ('a''1', 10), ('b\\2', 20), ('c', 30)";
  row_batch deltas{url.kind};
  deltas.text("a'1").integer(-3).end_row();
  deltas.text("b\\2").integer(5).end_row();
  auto update = deltas.statement("WITH d (delta_id, delta) AS ({rows})"
                                 " UPDATE balances SET balance = balance + d.delta FROM d"
                                 " WHERE balances.id = d.delta_id",
                                 0, deltas.size());
  settle::persistence::query_bound(*session, url.kind, update.sql, update.values);
  long long total = 0;
  long long first = 0;
  *session << "SELECT SUM(balance) FROM balances", soci::into(total);
  *session << "SELECT balance FROM balances WHERE id = 'a''1'", soci::into(first);
  CHECK(total == 62);
  CHECK(first == 7);
}

} // namespace

TEST_CASE("a row batch reads back exactly, on SQLite", "[row_batch][sqlite]") {
  settle::testing::run_on_sqlite(whole_batch_round_trip);
  settle::testing::run_on_sqlite(chunked_round_trip);
}

TEST_CASE("a row batch reads back exactly, on PostgreSQL", "[row_batch][postgresql]") {
  settle::testing::run_on_postgresql(whole_batch_round_trip);
  settle::testing::run_on_postgresql(chunked_round_trip);
}

TEST_CASE("an UPDATE joins a row batch, on SQLite", "[row_batch][sqlite]") {
  settle::testing::run_on_sqlite(update_joins_the_relation);
}

TEST_CASE("an UPDATE joins a row batch, on PostgreSQL", "[row_batch][postgresql]") {
  settle::testing::run_on_postgresql(update_joins_the_relation);
}
