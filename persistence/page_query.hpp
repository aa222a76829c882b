// How the statement of one page of a list is formed. A list scoped to a tenant (or an
// account) on either side of a transfer or an order, or on an event, reads each side
// through its own index in the list's order and merges the two short reads: an OR over
// two columns would read both indexes whole and sort, and a tenant with a few rows among
// millions would wait for all of them.
#pragma once

#include "persistence/store_reader.hpp"
#include "persistence/text_query.hpp"

#include <optional>
#include <string>
#include <utility>
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
// With `sources`, alternative i reads from sources[i] instead of the list's table (a
// list whose rows live in several tables, such as an account's entries).
struct list_scope {
  std::vector<std::string> alternatives;
  std::vector<std::string> conditions;
  std::vector<std::string> sources;
  // Columns (and values) a cursor's row must also have: they let its lookup use an index
  // where its id alone cannot (an entry read from its transfer's row).
  std::vector<std::pair<const char*, std::string>> cursor_equals;

  // The condition of one alternative with the common conditions.
  std::string branch(std::size_t index) const;
  // The condition of the whole scope.
  std::string any() const;
  // Where alternative `index` reads from: its source, or `table`.
  std::string source(std::size_t index, const std::string& table) const;
};

// At most `limit` (a bound parameter) rows of `scope` in `order`: one index-ordered read
// per alternative, merged.
std::string page_sql(const std::string& table, const std::string& columns,
                     const list_scope& scope, const std::string& order, const std::string& limit);

// The `columns` of the rows of `scope` that also meet `condition`, from every alternative
// (a cursor's lookup, which needs no order).
std::string lookup_sql(const std::string& table, const std::string& columns,
                       const list_scope& scope, const std::string& condition);

// The scopes of the lists whose rows have two sides; their values are bound to `bound`.
list_scope transfers_scope(bound_values& bound, const list_query& query);

// An account's transfers since migration 16 (`lean`: the transfer row is the ledger) list
// in the account's own order, its position on their side, through the views transfers_out
// and transfers_in; those written `before` list by ordinal, below all of them.
enum class transfer_era { lean, before };
list_scope account_transfers_scope(bound_values& bound, const list_query& query,
                                   transfer_era era);
list_scope orders_scope(bound_values& bound, const list_query& query);
list_scope events_scope(bound_values& bound, const event_query& query);
list_scope entries_scope(bound_values& bound, const list_query& query);
// The transfer an entry id names when the entry is read from its transfer's row
// (ent_<the transfer id after trf_>_d or _c, the views of migration 16); none for the
// ids of entries written before.
std::optional<std::string> transfer_of_entry(const std::string& entry_id);

extern const char* const event_columns;

} // namespace settle::persistence
