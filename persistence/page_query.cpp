#include "persistence/page_query.hpp"

#include <algorithm>

namespace settle::persistence {

const char* const event_columns = "seq, name, tenants, topics, object, at";

std::string list_scope::branch(std::size_t index) const {
  std::string where = alternatives.empty() ? "1 = 1" : "(" + alternatives[index] + ")";
  for (const auto& condition : conditions) {
    where += " AND " + condition;
  }
  return where;
}

std::string list_scope::any() const {
  std::string where;
  for (std::size_t index = 0; index < std::max<std::size_t>(alternatives.size(), 1); ++index) {
    where += (index == 0 ? "(" : " OR (") + branch(index) + ")";
  }
  return where;
}

std::string list_scope::source(std::size_t index, const std::string& table) const {
  return index < sources.size() ? sources[index] : table;
}

std::string page_sql(const std::string& table, const std::string& columns,
                     const list_scope& scope, const std::string& order, const std::string& limit) {
  auto tail = " ORDER BY " + order + " LIMIT " + limit;
  auto read = [&](std::size_t index) {
    return "SELECT " + columns + " FROM " + scope.source(index, table) + " WHERE "
           + scope.branch(index) + tail;
  };
  if (scope.alternatives.size() <= 1) {
    return read(0);
  }
  std::string sql;
  for (std::size_t index = 0; index < scope.alternatives.size(); ++index) {
    sql += (index == 0 ? "" : " UNION ALL ") + std::string{"SELECT * FROM ("} + read(index)
           + ") AS part_" + std::to_string(index);
  }
  return sql + tail;
}

std::string lookup_sql(const std::string& table, const std::string& columns,
                       const list_scope& scope, const std::string& condition) {
  if (scope.sources.empty()) {
    return "SELECT " + columns + " FROM " + table + " WHERE (" + scope.any() + ") AND " + condition;
  }
  std::string sql;
  for (std::size_t index = 0; index < scope.alternatives.size(); ++index) {
    sql += (index == 0 ? "" : " UNION ALL ") + std::string{"SELECT "} + columns + " FROM "
           + scope.source(index, table) + " WHERE " + scope.branch(index) + " AND " + condition;
  }
  return sql;
}

namespace {

// Rows with `value` in `first` or in `second`. The second alternative leaves out the
// rows of the first, in the words of the partial indexes that skip them.
list_scope either_side(bound_values& bound, const std::string& first, const std::string& second,
                       const std::string& value) {
  auto bound_value = bound.bind(value);
  list_scope scope;
  scope.alternatives = {first + " = " + bound_value,
                        second + " = " + bound_value + " AND " + first + " <> " + second};
  return scope;
}

// A list by account shows only the rows of the caller's tenant on either side.
void add_tenant_condition(list_scope& scope, bound_values& bound, const list_query& query,
                          const std::string& first_tenant, const std::string& second_tenant) {
  if (!query.tenant.empty()) {
    auto tenant = bound.bind(query.tenant.value);
    scope.conditions.push_back("(" + first_tenant + " = " + tenant + " OR " + second_tenant
                               + " = " + tenant + ")");
  }
}

// By account (the more selective) when the list is filtered by one, else by tenant.
list_scope two_sided_scope(bound_values& bound, const list_query& query,
                           const std::string& first_account, const std::string& second_account,
                           const std::string& first_tenant, const std::string& second_tenant) {
  if (query.filter.empty()) {
    return query.tenant.empty() ? list_scope{}
                                : either_side(bound, first_tenant, second_tenant, query.tenant.value);
  }
  auto scope = either_side(bound, first_account, second_account, query.filter);
  add_tenant_condition(scope, bound, query, first_tenant, second_tenant);
  return scope;
}

// Rows of the views over the transfer rows' sides (migration 16), keyed by their account's
// ordinal, which is unique (migration 17): found from the account's row. Only the ordinal
// is compared: a second condition on the account's id would make PostgreSQL expect one row
// and sort all of the account's rows instead of reading the index in order.
std::string account_ordinal_of(const std::string& bound_account) {
  return "account_ordinal = (SELECT ordinal FROM accounts WHERE id = " + bound_account + ")";
}

} // namespace

list_scope transfers_scope(bound_values& bound, const list_query& query) {
  return two_sided_scope(bound, query, "from_account", "to_account", "from_tenant", "to_tenant");
}

list_scope account_transfers_scope(bound_values& bound, const list_query& query,
                                   transfer_era era) {
  if (era == transfer_era::lean) {
    list_scope scope;
    auto account = account_ordinal_of(bound.bind(query.filter));
    scope.alternatives = {account, account + " AND from_account <> to_account"};
    scope.sources = {"transfers_out", "transfers_in"};
    add_tenant_condition(scope, bound, query, "from_tenant", "to_tenant");
    return scope;
  }
  auto scope = transfers_scope(bound, query);
  scope.alternatives[0] += " AND from_position IS NULL";
  scope.alternatives[1] += " AND to_position IS NULL";
  return scope;
}

list_scope orders_scope(bound_values& bound, const list_query& query) {
  auto scope = two_sided_scope(bound, query, "payer_account", "payee_account", "tenant",
                               "payee_tenant");
  if (!query.status.empty()) {
    scope.conditions.push_back(bound.equals("status", query.status));
  }
  return scope;
}

list_scope events_scope(bound_values& bound, const event_query& query) {
  list_scope scope;
  if (!query.tenant.empty()) {
    auto tenant = bound.bind(query.tenant.value);
    scope.alternatives = {"tenant = " + tenant, "other_tenant = " + tenant};
  }
  scope.conditions.push_back("seq > " + bound.bind(query.after));
  return scope;
}

// An account's entries: those written before migration 16 (rows of `entries`), and its
// transfers' debits and credits since (views over the transfer rows, migration 16), each
// read through its own index by (account, position).
list_scope entries_scope(bound_values& bound, const list_query& query) {
  auto account = bound.bind(query.filter);
  auto by_position = account_ordinal_of(account);
  list_scope scope;
  scope.alternatives = {"account_id = " + account, by_position, by_position};
  scope.sources = {"entries", "debit_entries", "credit_entries"};
  return scope;
}

std::optional<std::string> transfer_of_entry(const std::string& entry_id) {
  const std::string prefix = "ent_";
  auto size = entry_id.size();
  bool derived = size > prefix.size() + 2 && entry_id.compare(0, prefix.size(), prefix) == 0
                 && (entry_id.compare(size - 2, 2, "_d") == 0
                     || entry_id.compare(size - 2, 2, "_c") == 0);
  if (!derived) {
    return std::nullopt;
  }
  return "trf_" + entry_id.substr(prefix.size(), size - prefix.size() - 2);
}

} // namespace settle::persistence
