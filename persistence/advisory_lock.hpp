// PostgreSQL's session-level advisory locks as settled holds them: the owner's lock
// (database_lock) and each lane's writers' lock (ledger_store). Each is held by one
// connection for that connection's life, may be found still held a moment after another
// settled has stopped or died, and is let go before its connection closes.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

namespace soci {
class session;
}

namespace settle::persistence {

// Alone (a single node), or side by side with the other holders (the nodes of a cluster).
enum class ownership { exclusive, shared };

// Every advisory lock key settled takes, in one list so that no two uses share one.
namespace advisory_lock_keys {
// The migrations, while one node migrates and the others wait (migrations.cpp).
inline constexpr std::int32_t migrations = 7303;
// The event numbering section of migration 14's SQL functions, which name it themselves
// (a migration's text never changes); they also take 2^62 + seq for each group's first seq.
inline constexpr std::int32_t event_numbering = 7304;
// The owner's lock: one settled, or the nodes of one cluster, per database (database_lock).
inline constexpr std::int32_t owner = 7305;
// The writers' lock, with the lane's number as the second half (ledger_store).
inline constexpr std::int32_t writers = 7306;
} // namespace advisory_lock_keys

// A lock's key: one number, or two (a kind and an instance, such as a lane). PostgreSQL
// keeps the two forms apart: 7305 and (7305, 0) are different locks.
struct advisory_lock_key {
  std::int32_t first = 0;
  std::optional<std::int32_t> second;
};

// Takes the lock on `session`, trying again until `patience` has passed (see
// try_with_patience); false if another session still holds it then.
bool take_advisory_lock(soci::session& session, const advisory_lock_key& key, ownership mode,
                        std::chrono::milliseconds patience);

// Lets go of every advisory lock `session` holds. The server drops a closed connection's
// locks only once its process has ended, a moment after the client has gone, so the next
// holder could find them still held. If the connection is already gone, so are its locks.
void release_advisory_locks(soci::session& session) noexcept;

} // namespace settle::persistence
