// PREPARE runs at once, in its own round trip, so a name is remembered only once the
// database has it. Prepared statements outlive transactions: one prepared inside a
// transaction that is rolled back stays.
#include "persistence/prepared_statements.hpp"

#include "persistence/connection.hpp"

#include <soci/soci.h>

namespace settle::persistence {

std::string prepared_statements::execute(soci::session& session, const std::string& sql,
                                         const std::vector<std::string>& arguments) {
  auto found = names_.find(sql);
  if (found == names_.end()) {
    std::string name = "settle_statement_" + std::to_string(names_.size() + 1);
    try {
      session << "PREPARE " + name + " AS " + sql;
    } catch (const std::exception& error) {
      throw storage_error{error.what()};
    }
    found = names_.emplace(sql, std::move(name)).first;
  }
  std::string text = "EXECUTE " + found->second + " (";
  for (std::size_t index = 0; index < arguments.size(); ++index) {
    text += index == 0 ? "" : ", ";
    text += arguments[index];
  }
  text += ")";
  return text;
}

} // namespace settle::persistence
