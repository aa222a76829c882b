// Versioned schema migrations, applied in order at start; each version once.
#pragma once

#include "persistence/connection.hpp"

#include <string>
#include <vector>

namespace soci {
class session;
}

namespace settle::persistence {

// The database was migrated by a newer build than this one: this build would write rows
// without what the newer schema expects of them (say, the keys of a new index), which the
// newer build's reads would then miss. A node stops instead of starting (exit code 2).
class schema_too_new : public storage_error {
public:
  using storage_error::storage_error;
};

// Applies every migration newer than the database's version, each in its own
// transaction, and makes sure the system account of every currency exists. Throws
// schema_too_new, and changes nothing, if the database's version is newer than this build's.
void migrate(soci::session& session, dialect kind, const std::vector<std::string>& currencies);

// The newest schema version this build knows.
int latest_schema_version();

} // namespace settle::persistence
