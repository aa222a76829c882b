// Tests the deletion of expired idempotency answers on both databases: only answers
// stored before the cutoff go, oldest first, at most `limit` a call, so a sweep of many
// rows is many short statements.
#include "persistence/idempotency_retention.hpp"

#include "persistence/connection.hpp"
#include "persistence/migrations.hpp"
#include "persistence/store_reader.hpp"
#include "tests/unit/support/test_database.hpp"

#include <catch2/catch.hpp>
#include <soci/soci.h>

namespace {

using settle::persistence::delete_idempotency_records_before;
using settle::testing::test_database;

void store_answer(soci::session& session, const std::string& key, long long created_at) {
  std::string tenant = "acme";
  std::string fingerprint = "f";
  std::string body = "{}";
  long long status = 201;
  session << "INSERT INTO idempotency_keys (tenant, idempotency_key, fingerprint, status, body,"
             " created_at) VALUES (:t, :k, :f, :s, :b, :c)",
    soci::use(tenant), soci::use(key), soci::use(fingerprint), soci::use(status), soci::use(body),
    soci::use(created_at);
}

bool stored(const test_database& database, const std::string& key) {
  settle::persistence::store_reader reader{database.url()};
  return reader.find_idempotency_record(settle::tenant_name{"acme"}, key).has_value();
}

void deletes_only_expired_answers_in_batches(const test_database& database) {
  auto session = settle::persistence::open_session(database.url());
  settle::persistence::migrate(*session, database.url().kind, {"USD"});
  for (int index = 0; index < 25; ++index) {
    store_answer(*session, "old-" + std::to_string(index), 1000 + index);
  }
  store_answer(*session, "at-the-cutoff", 5000);
  store_answer(*session, "fresh", 9000);
  CHECK(delete_idempotency_records_before(*session, 5000, 10) == 10);
  CHECK_FALSE(stored(database, "old-0")); // oldest first
  CHECK(stored(database, "old-10"));
  CHECK(delete_idempotency_records_before(*session, 5000, 10) == 10);
  CHECK(delete_idempotency_records_before(*session, 5000, 10) == 5);
  CHECK(delete_idempotency_records_before(*session, 5000, 10) == 0);
  CHECK_FALSE(stored(database, "old-24"));
  CHECK(stored(database, "at-the-cutoff"));
  CHECK(stored(database, "fresh"));
}

} // namespace

TEST_CASE("expired idempotency answers are deleted in batches on SQLite", "[idempotency_retention]") {
  settle::testing::run_on_sqlite(deletes_only_expired_answers_in_batches);
}

TEST_CASE("expired idempotency answers are deleted in batches on PostgreSQL", "[idempotency_retention]") {
  settle::testing::run_on_postgresql(deletes_only_expired_answers_in_batches);
}
