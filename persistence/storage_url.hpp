// Parses `--storage.url`: `sqlite:PATH` for the embedded single-node store, or a
// PostgreSQL URI / key-value connection string for production and clusters.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace settle::persistence {

enum class dialect { sqlite, postgresql };

struct storage_url {
  dialect kind = dialect::sqlite;
  std::string connection; // what the SOCI backend is opened with
  std::string file;       // SQLite: the database file's path
};

// The parsed URL, or nothing when it names no supported database.
std::optional<storage_url> parse_storage_url(std::string_view text);

} // namespace settle::persistence
