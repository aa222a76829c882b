// Statements prepared once per PostgreSQL connection, by their text. The writer's group
// commit and the reader's lookups then run them by name with their values, and
// PostgreSQL no longer parses, analyses and plans the same few statements again and
// again.
#pragma once

#include <cstddef>
#include <string>
#include <unordered_map>

namespace soci {
class session;
}

namespace settle::persistence {

class prepared_statements {
public:
  // The code writes a few dozen statement texts with parameters, never built from
  // values; more than this is a mistake, refused rather than kept.
  static constexpr std::size_t limit = 64;

  // The name `sql` is prepared under on the session's connection, preparing it the first
  // time. Throws storage_error when the database refuses it, or past the limit.
  const std::string& name_of(soci::session& session, const std::string& sql);

  // Forgets every name: a new connection has none of them.
  void clear() noexcept { names_.clear(); }

private:
  std::unordered_map<std::string, std::string> names_; // sql -> its name
};

} // namespace settle::persistence
