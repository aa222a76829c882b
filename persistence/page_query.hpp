// How the statement of one page of a list is formed. A list scoped to a tenant (or an
// account) on either side of a transfer or an order, or on an event, reads each side
// through its own index in the list's order and merges the two short reads: an OR over
// two columns would read both indexes whole and sort, and a tenant with a few rows among
// millions would wait for all of them.
#pragma once

#include "persistence/store_reader.hpp"
#include "persistence/text_query.hpp"

#include <string>
#include <vector>

namespace settle::persistence {

// The values of one statement: each gets the next parameter number.
class bound_values {
public:
  // "$N" standing for `value`.
  std::string bind(sql_value value) {
    values_.push_back(std::move(value));
    return "$" + std::to_string(values_.size());
  }

  std::string equals(const char* column, std::string value) {
    return std::string{column} + " = " + bind(std::move(value));
  }

  const std::vector<sql_value>& values() const { return values_; }

private:
  std::vector<sql_value> values_;
};

// Which rows a list shows: those of any one of `alternatives`, and of all `conditions`.
// The alternatives must not overlap (their pages are concatenated, not deduplicated).
struct list_scope {
  std::vector<std::string> alternatives;
  std::vector<std::string> conditions;

  // The condition of one alternative with the common conditions.
  std::string branch(std::size_t index) const;
  // The condition of the whole scope.
  std::string any() const;
};

// At most `limit` (a bound parameter) rows of `scope` in `order`: one index-ordered read
// per alternative, merged.
std::string page_sql(const std::string& table, const std::string& columns,
                     const list_scope& scope, const std::string& order, const std::string& limit);

// The scopes of the lists whose rows have two sides; their values are bound to `bound`.
list_scope transfers_scope(bound_values& bound, const list_query& query);
list_scope orders_scope(bound_values& bound, const list_query& query);
list_scope events_scope(bound_values& bound, const event_query& query);

extern const char* const event_columns;

} // namespace settle::persistence
