// The cluster's arbitration on a real PostgreSQL database: a lease is taken only when
// free or expired and its epoch grows each time; a commit fenced by an old epoch is
// refused and writes nothing; a leg is settled exactly once between a commit that
// claims it and a node that abandons it.
#include "persistence/lease_store.hpp"

#include "persistence/connection.hpp"
#include "persistence/ledger_store.hpp"
#include "persistence/migrations.hpp"
#include "persistence/store_reader.hpp"
#include "tests/unit/support/test_database.hpp"

#include <catch2/catch.hpp>
#include <soci/soci.h>

#include <chrono>
#include <thread>

namespace {

using settle::persistence::lease_store;
using settle::persistence::ledger_store;
using settle::persistence::write_set;
using settle::testing::test_database;

constexpr std::uint32_t shard_count = 8;

void migrate(const test_database& database) {
  auto session = settle::persistence::open_session(database.url());
  settle::persistence::migrate(*session, database.url().kind, {"USD"});
}

write_set fenced_user(const std::string& id, std::uint32_t shard, std::int64_t epoch) {
  write_set writes;
  writes.fences.push_back({shard, epoch});
  settle::user_record user;
  user.id = settle::user_id{id};
  user.tenant = settle::tenant_name{"acme"};
  user.name = "Ada";
  user.email = "ada@example.com";
  user.ordinal = 1;
  writes.users_inserted.push_back(user);
  return writes;
}

bool user_exists(const test_database& database, const std::string& id) {
  settle::persistence::store_reader reader{database.url()};
  return reader.find_user(settle::user_id{id}).has_value();
}

void leases_change_hands_with_growing_epochs(const test_database& database) {
  migrate(database);
  lease_store first{database.url(), shard_count, 300};
  lease_store second{database.url(), shard_count, 300};
  auto first_slot = first.join("node-a", "127.0.0.1:1");
  auto second_slot = second.join("node-b", "127.0.0.1:2");
  CHECK(first_slot != second_slot);
  CHECK(first.leases().size() == shard_count);

  auto epoch = first.acquire(3, "node-a");
  REQUIRE(epoch.has_value());
  CHECK_FALSE(second.acquire(3, "node-b").has_value()); // held and unexpired
  CHECK(first.renew("node-a", {{3, *epoch}}) == std::vector<std::uint32_t>{3});

  std::this_thread::sleep_for(std::chrono::milliseconds{400}); // past the 300 ms lease
  auto taken = second.acquire(3, "node-b");
  REQUIRE(taken.has_value());
  CHECK(*taken == *epoch + 1);
  CHECK(first.renew("node-a", {{3, *epoch}}).empty()); // the old holder learns it lost it

  second.release("node-b", {3, *taken});
  auto again = first.acquire(3, "node-a");
  REQUIRE(again.has_value());
  CHECK(*again == *taken + 1);
}

void a_commit_under_a_moved_lease_is_refused(const test_database& database) {
  migrate(database);
  lease_store leases{database.url(), shard_count, 300};
  leases.join("node-a", "127.0.0.1:1");
  auto epoch = leases.acquire(5, "node-a");
  REQUIRE(epoch.has_value());
  ledger_store store{database.url(), nullptr, true};

  auto current = fenced_user("usr_current", 5, *epoch);
  store.commit({&current});
  CHECK(user_exists(database, "usr_current"));

  std::this_thread::sleep_for(std::chrono::milliseconds{400});
  REQUIRE(leases.acquire(5, "node-b").has_value()); // another node took the shard over
  auto stale = fenced_user("usr_stale", 5, *epoch);
  CHECK_THROWS_AS(store.commit({&stale}), settle::persistence::storage_error);
  CHECK_FALSE(user_exists(database, "usr_stale"));
}

void a_leg_is_either_committed_or_abandoned(const test_database& database) {
  migrate(database);
  ledger_store committer{database.url(), nullptr, true};
  ledger_store owner{database.url(), nullptr, true};

  write_set committed = fenced_user("usr_one", 0, 0);
  committed.fences.clear();
  committed.leg_claims.push_back({"trf_one", "acc_payee"});
  committer.commit({&committed});
  CHECK_FALSE(owner.abandon_leg({"trf_one", "acc_payee"})); // it committed: apply it

  CHECK(owner.abandon_leg({"trf_two", "acc_payee"})); // never committed: release it
  write_set late = fenced_user("usr_two", 0, 0);
  late.fences.clear();
  late.leg_claims.push_back({"trf_two", "acc_payee"});
  CHECK_THROWS_AS(committer.commit({&late}), settle::persistence::storage_error);
  CHECK_FALSE(user_exists(database, "usr_two"));
}

} // namespace

TEST_CASE("leases are taken only when free or expired, with a growing epoch",
          "[cluster][postgresql]") {
  settle::testing::run_on_postgresql(leases_change_hands_with_growing_epochs);
}

TEST_CASE("a commit fenced by the epoch of a lease that moved writes nothing",
          "[cluster][postgresql]") {
  settle::testing::run_on_postgresql(a_commit_under_a_moved_lease_is_refused);
}

TEST_CASE("a leg reserved across nodes is settled once: committed or abandoned",
          "[cluster][postgresql]") {
  settle::testing::run_on_postgresql(a_leg_is_either_committed_or_abandoned);
}
