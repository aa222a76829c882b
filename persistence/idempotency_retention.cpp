// One bound statement on both databases; the age index (idempotency_by_age) finds the
// oldest rows, and the primary key deletes them.
#include "persistence/idempotency_retention.hpp"

#include "persistence/connection.hpp"

#include <soci/soci.h>

namespace settle::persistence {

std::size_t delete_idempotency_records_before(soci::session& session, std::int64_t cutoff,
                                              std::size_t limit) {
  try {
    long long before = cutoff;
    long long most = static_cast<long long>(limit);
    soci::statement statement =
      (session.prepare << "DELETE FROM idempotency_keys WHERE (tenant, idempotency_key) IN"
                          " (SELECT tenant, idempotency_key FROM idempotency_keys"
                          " WHERE created_at < :cutoff ORDER BY created_at LIMIT :most)",
       soci::use(before), soci::use(most));
    statement.execute(true);
    return static_cast<std::size_t>(statement.get_affected_rows());
  } catch (const std::exception& error) {
    throw storage_error{std::string{"deleting expired idempotency answers failed: "}
                        + error.what()};
  }
}

} // namespace settle::persistence
