// Stored idempotency answers are kept for the retention (--idempotency.retention), then
// deleted in small batches, so that the table stays bounded and no delete holds the
// database (and with it the writer's commits) for long.
#pragma once

#include <cstddef>
#include <cstdint>

namespace soci {
class session;
}

namespace settle::persistence {

// Deletes at most `limit` answers stored before `cutoff` (milliseconds since the epoch),
// oldest first; returns how many it deleted. Throws storage_error.
std::size_t delete_idempotency_records_before(soci::session& session, std::int64_t cutoff,
                                              std::size_t limit);

} // namespace settle::persistence
