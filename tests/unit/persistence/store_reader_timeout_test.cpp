// A read that PostgreSQL cannot finish (here: the table is locked by another session) is
// cancelled after the reader's statement timeout and reported as a storage error, instead
// of holding the reader, and every request queued behind it, for as long as the lock
// lasts; the same reader answers again once the lock is gone.
#include "persistence/store_reader.hpp"

#include "persistence/connection.hpp"
#include "persistence/migrations.hpp"
#include "tests/unit/support/test_database.hpp"

#include <catch2/catch.hpp>
#include <soci/soci.h>

#include <chrono>

namespace {

void a_blocked_read_times_out(const settle::testing::test_database& database) {
  auto url = database.url();
  auto locker = settle::persistence::open_session(url);
  settle::persistence::migrate(*locker, url.kind, {"USD"});
  settle::persistence::store_reader reader{url, std::chrono::milliseconds{300}};
  CHECK_FALSE(reader.find_account(settle::account_id{"acc_none"}).has_value());
  *locker << "BEGIN";
  *locker << "LOCK TABLE accounts IN ACCESS EXCLUSIVE MODE";
  // Without the timeout this read would wait for the lock, and the lock is released
  // only after it: the test would hang, not pass.
  CHECK_THROWS_AS(reader.find_account(settle::account_id{"acc_none"}), settle::persistence::storage_error);
  *locker << "ROLLBACK";
  CHECK_FALSE(reader.find_account(settle::account_id{"acc_none"}).has_value());
}

} // namespace

TEST_CASE("a blocked read is cancelled after the statement timeout, on PostgreSQL",
          "[store_reader][postgresql]") {
  settle::testing::run_on_postgresql(a_blocked_read_times_out);
}
