// Takes and lets go of PostgreSQL's session-level advisory locks through their SQL
// functions; the try form, so that a wait keeps to its patience and never hangs a start.
#include "persistence/advisory_lock.hpp"

#include "persistence/patience.hpp"
#include "persistence/text_query.hpp"

#include <string>

namespace settle::persistence {
namespace {

std::string key_arguments(const advisory_lock_key& key) {
  auto arguments = std::to_string(key.first);
  if (key.second) {
    arguments += ", " + std::to_string(*key.second);
  }
  return arguments;
}

} // namespace

bool take_advisory_lock(soci::session& session, const advisory_lock_key& key, ownership mode,
                        std::chrono::milliseconds patience) {
  const auto statement = std::string{"SELECT CAST("}
                         + (mode == ownership::shared ? "pg_try_advisory_lock_shared("
                                                      : "pg_try_advisory_lock(")
                         + key_arguments(key) + ") AS TEXT)";
  return try_with_patience(patience, [&] {
    auto rows = query_bound(session, dialect::postgresql, statement);
    return rows.size() == 1 && rows[0].text(0) == "true";
  });
}

void release_advisory_locks(soci::session& session) noexcept {
  try {
    query_bound(session, dialect::postgresql, "SELECT pg_advisory_unlock_all()");
  } catch (const std::exception&) {
    // The connection is gone, and its locks with it.
  }
}

} // namespace settle::persistence
