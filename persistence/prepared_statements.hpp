// The writer's statements over row batches, prepared once per PostgreSQL connection. A
// group commit then sends "EXECUTE name('{...}', ...)" with the rows' arrays, and
// PostgreSQL no longer parses, analyses and plans the same few statements for every
// group (perf: about a quarter of the writer backend's CPU with single transfers).
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

namespace soci {
class session;
}

namespace settle::persistence {

class prepared_statements {
public:
  // The text that runs `sql` (with parameters $1...) with `arguments` (SQL literals, one
  // per parameter), preparing `sql` on the session's connection the first time. Throws
  // storage_error when the database refuses to prepare it.
  std::string execute(soci::session& session, const std::string& sql,
                      const std::vector<std::string>& arguments);

  // The name `sql` is prepared under on the session's connection, preparing it the first
  // time (then run with query_prepared). Throws storage_error when refused.
  const std::string& name_of(soci::session& session, const std::string& sql);

  // Forgets every name: a new connection has none of them.
  void clear() noexcept { names_.clear(); }

private:
  // sql -> its name; as many as the statements the code writes (a dozen), never more.
  std::unordered_map<std::string, std::string> names_;
};

} // namespace settle::persistence
