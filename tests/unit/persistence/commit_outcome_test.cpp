// When the answer to COMMIT is lost, the ledger store learns the outcome from the database
// (its row of writer_commits) instead of guessing: a group that the server committed is
// reported committed, with its events numbered, and one that never reached COMMIT is
// reported not committed. The answer is lost on purpose by a relay in front of PostgreSQL.
#include "persistence/connection.hpp"
#include "persistence/ledger_store.hpp"
#include "persistence/migrations.hpp"
#include "persistence/text_query.hpp"
#include "tests/unit/support/connection_cutter.hpp"
#include "tests/unit/support/test_database.hpp"

#include <catch2/catch.hpp>

namespace {

using settle::persistence::ambiguous_commit;
using settle::persistence::ledger_store;
using settle::persistence::write_set;
using settle::testing::connection_cutter;
using settle::testing::test_database;

write_set new_user(const std::string& id) {
  write_set set;
  settle::user_record user;
  user.id = settle::user_id{id};
  user.tenant = settle::tenant_name{"acme"};
  user.name = "Ada";
  user.email = id + "@example.com";
  user.created_at = 1;
  user.ordinal = 1;
  set.users_inserted.push_back(user);
  set.events.push_back(settle::persistence::make_event("user.created", {"acme"}, {id}, "{}"));
  return set;
}

bool user_stored(const test_database& database, const std::string& id) {
  auto session = settle::persistence::open_session(database.url());
  auto rows = settle::persistence::query_bound(*session, database.url().kind,
                                               "SELECT count(*) FROM users WHERE id = $1", {id});
  return rows[0].text(0) == "1";
}

// A first group commits normally, then the answer to the second one's COMMIT is lost at
// `when`.
void lose_the_answer(const test_database& database, connection_cutter::cut when) {
  {
    auto session = settle::persistence::open_session(database.url());
    settle::persistence::migrate(*session, database.url().kind, {"USD"});
  }
  connection_cutter cutter{database.url_text()};
  ledger_store store{settle::persistence::parse_storage_url(cutter.url()).value()};
  auto first = new_user("usr_first");
  auto first_events = store.commit({&first});
  REQUIRE(first_events.size() == 1);

  auto second = new_user("usr_second");
  cutter.arm(when);
  CHECK_THROWS_AS(store.commit({&second}), ambiguous_commit);
  REQUIRE(cutter.has_cut());
  auto outcome = store.outcome_of_last_group(first_events.front().seq);
  if (when == connection_cutter::cut::after_commit) {
    REQUIRE(outcome.has_value());
    REQUIRE(outcome->size() == 1);
    CHECK(outcome->front().name == "user.created");
    CHECK(outcome->front().seq > first_events.front().seq);
    CHECK(user_stored(database, "usr_second"));
  } else {
    CHECK_FALSE(outcome.has_value());
    CHECK_FALSE(user_stored(database, "usr_second"));
  }
  // The store commits on as before, on its new connection.
  auto third = new_user("usr_third");
  CHECK(store.commit({&third}).size() == 1);
  CHECK(user_stored(database, "usr_third"));
}

void answer_lost_after_commit(const test_database& database) {
  lose_the_answer(database, connection_cutter::cut::after_commit);
}

void commit_lost_on_the_way(const test_database& database) {
  lose_the_answer(database, connection_cutter::cut::before_commit);
}

} // namespace

TEST_CASE("a group whose COMMIT answer was lost is learned to be committed, on PostgreSQL",
          "[ledger_store][postgresql]") {
  settle::testing::run_on_postgresql(answer_lost_after_commit);
}

TEST_CASE("a group whose COMMIT never arrived is learned to be not committed, on PostgreSQL",
          "[ledger_store][postgresql]") {
  settle::testing::run_on_postgresql(commit_lost_on_the_way);
}
