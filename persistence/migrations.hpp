// Versioned schema migrations, applied in order at start; each version once.
#pragma once

#include "persistence/storage_url.hpp"

#include <string>
#include <vector>

namespace soci {
class session;
}

namespace settle::persistence {

// Applies every migration newer than the database's version, each in its own
// transaction, and makes sure the system account of every currency exists.
void migrate(soci::session& session, dialect kind, const std::vector<std::string>& currencies);

// The newest schema version this build knows.
int latest_schema_version();

} // namespace settle::persistence
