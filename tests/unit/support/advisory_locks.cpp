#include "tests/unit/support/advisory_locks.hpp"

#include "persistence/row_reading.hpp"
#include "persistence/text_query.hpp"

namespace settle::testing {

std::int64_t advisory_locks_held(soci::session& session) {
  auto rows = persistence::query_bound(
    session, persistence::dialect::postgresql,
    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
    " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())");
  return rows.size() == 1 ? persistence::read_int64(rows[0], 0) : -1;
}

} // namespace settle::testing
