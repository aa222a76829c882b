// Tests one database, one owner: a second exclusive owner is refused while the first
// holds the lock and admitted once it lets go; on PostgreSQL the nodes of a cluster share
// the lock, and a single node and a cluster exclude each other.
#include "persistence/database_lock.hpp"

#include "persistence/connection.hpp"
#include "tests/unit/support/advisory_locks.hpp"
#include "tests/unit/support/test_database.hpp"

#include <catch2/catch.hpp>

#include <thread>

namespace {

using settle::persistence::database_in_use;
using settle::persistence::lock_database;
using settle::persistence::ownership;
using settle::testing::test_database;

constexpr std::chrono::milliseconds no_patience{0};

bool refused(const test_database& database, ownership mode) {
  try {
    lock_database(database.url(), mode, no_patience);
  } catch (const database_in_use&) {
    return true;
  }
  return false;
}

void second_owner_is_refused_until_the_first_lets_go(const test_database& database) {
  auto first = lock_database(database.url(), ownership::exclusive, no_patience);
  CHECK(refused(database, ownership::exclusive));
  first.reset();
  CHECK_FALSE(refused(database, ownership::exclusive));
}

void cluster_nodes_share_and_exclude_a_single_node(const test_database& database) {
  auto first_node = lock_database(database.url(), ownership::shared, no_patience);
  auto second_node = lock_database(database.url(), ownership::shared, no_patience);
  CHECK(refused(database, ownership::exclusive));
  first_node.reset();
  second_node.reset();
  auto single = lock_database(database.url(), ownership::exclusive, no_patience);
  CHECK(refused(database, ownership::shared));
}

// Watched from a session opened before: the lock is free as soon as its owner has let
// go, not once the owner's server process has ended a moment later.
void letting_go_frees_the_lock_at_once(const test_database& database) {
  auto watcher = settle::persistence::open_session(database.url());
  CHECK(settle::testing::rounds_held_after_letting_go(*watcher, 300, [&] {
          return lock_database(database.url(), ownership::exclusive, no_patience);
        }) == 0);
}

void patience_waits_for_an_owner_that_lets_go(const test_database& database) {
  auto first = lock_database(database.url(), ownership::exclusive, no_patience);
  std::thread release{[&first] {
    std::this_thread::sleep_for(std::chrono::milliseconds{300});
    first.reset();
  }};
  CHECK_NOTHROW(lock_database(database.url(), ownership::exclusive, std::chrono::seconds{20}));
  release.join();
}

} // namespace

TEST_CASE("a PostgreSQL owner that lets go frees the lock at once", "[database_lock]") {
  settle::testing::run_on_postgresql(letting_go_frees_the_lock_at_once);
}

TEST_CASE("a second owner of a SQLite file is refused until the first lets go", "[database_lock]") {
  settle::testing::run_on_sqlite(second_owner_is_refused_until_the_first_lets_go);
}

TEST_CASE("a second single owner of a PostgreSQL database is refused", "[database_lock]") {
  settle::testing::run_on_postgresql(second_owner_is_refused_until_the_first_lets_go);
}

TEST_CASE("cluster nodes share a PostgreSQL database; a single node excludes them", "[database_lock]") {
  settle::testing::run_on_postgresql(cluster_nodes_share_and_exclude_a_single_node);
}

TEST_CASE("the patience waits for an owner that lets go meanwhile", "[database_lock]") {
  settle::testing::run_on_sqlite(patience_waits_for_an_owner_that_lets_go);
}

TEST_CASE("the patience waits for a PostgreSQL owner that lets go meanwhile", "[database_lock]") {
  settle::testing::run_on_postgresql(patience_waits_for_an_owner_that_lets_go);
}
