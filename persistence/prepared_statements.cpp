// PREPARE runs at once, in its own round trip, so a name is remembered only once the
// database has it. Prepared statements outlive transactions: one prepared inside a
// transaction that is rolled back stays.
#include "persistence/prepared_statements.hpp"

#include "persistence/connection.hpp"
#include "persistence/text_query.hpp"

#include <libpq-fe.h>

namespace settle::persistence {

const std::string& prepared_statements::name_of(soci::session& session, const std::string& sql) {
  auto found = names_.find(sql);
  if (found == names_.end()) {
    if (names_.size() >= limit) {
      throw storage_error{"more distinct statements than prepared_statements::limit"};
    }
    std::string name = "settle_statement_" + std::to_string(names_.size() + 1);
    auto* connection = postgresql_connection(session);
    postgresql_result result{PQprepare(connection, name.c_str(), sql.c_str(), 0, nullptr)};
    if (!result || PQresultStatus(result.get()) != PGRES_COMMAND_OK) {
      throw storage_error{postgresql_error(connection, result.get())};
    }
    found = names_.emplace(sql, std::move(name)).first;
  }
  return found->second;
}

} // namespace settle::persistence
