// Read queries. Values are written into the SQL as quoted literals (sql_literal), so both
// dialects run the same text, each in one round trip (text_query). The lookups that load
// entities for their actors, by the thousand per second, are prepared once per connection
// on PostgreSQL and executed with their values (perf: planning them cost more than running
// them).
#include "persistence/store_reader.hpp"

#include "persistence/connection.hpp"
#include "persistence/record_reading.hpp"
#include "persistence/row_reading.hpp"
#include "persistence/sql_literal.hpp"
#include "persistence/text_query.hpp"

#include <soci/soci.h>

namespace settle::persistence {
namespace {

std::string equals(const char* column, const std::string& value) {
  std::string sql = column;
  sql += " = ";
  append_literal(sql, value);
  return sql;
}

// Hands each row to `consume`.
template <class Consume>
void for_each_row(const text_rows& rows, Consume consume) {
  for (std::size_t index = 0; index < rows.size(); ++index) {
    consume(rows[index]);
  }
}

template <class Record, class Reader>
std::optional<Record> find_one(const text_rows& rows, Reader read) {
  std::optional<Record> found;
  for_each_row(rows, [&](const text_row& row) { found = read(row); });
  return found;
}

} // namespace

store_reader::store_reader(const storage_url& url)
    : url_(url)
    , session_(open_session(url)) {}

void store_reader::reconnect() {
  session_.reset();
  prepared_.clear();
  session_ = open_session(url_);
}

text_rows store_reader::rows_of(const std::string& sql) {
  if (!session_) {
    throw storage_error{"not connected to the database"};
  }
  return query_text_rows(*session_, url_.kind, sql);
}

// `sql` with its parameters $1...$9 given `values`, as the text to run.
std::string store_reader::lookup(const std::string& sql, const std::vector<std::string>& values) {
  if (!session_) {
    throw storage_error{"not connected to the database"};
  }
  std::vector<std::string> literals;
  for (const auto& value : values) {
    append_literal(literals.emplace_back(), value);
  }
  if (url_.kind == dialect::postgresql) {
    return prepared_.execute(*session_, sql, literals);
  }
  // One pass from the left, so a value that contains "$2" is never taken for a parameter.
  std::string text;
  for (std::size_t index = 0; index < sql.size(); ++index) {
    if (sql[index] == '$' && index + 1 < sql.size() && sql[index + 1] >= '1' &&
        sql[index + 1] <= '9') {
      text += literals.at(static_cast<std::size_t>(sql[++index] - '1'));
    } else {
      text += sql[index];
    }
  }
  return text;
}

store_reader::~store_reader() = default;

std::optional<user_record> store_reader::find_user(const std::string& id) {
  static const std::string sql =
    std::string{"SELECT "} + user_columns + " FROM users WHERE id = $1 AND deleted = 0";
  return find_one<user_record>(rows_of(lookup(sql, {id})), read_user);
}

std::optional<account_record> store_reader::find_account(const std::string& id) {
  static const std::string sql =
    std::string{"SELECT "} + account_columns + " FROM accounts WHERE id = $1";
  return find_one<account_record>(rows_of(lookup(sql, {id})), read_account);
}

std::optional<transfer_record> store_reader::find_transfer(const std::string& id) {
  static const std::string sql =
    std::string{"SELECT "} + transfer_columns + " FROM transfers WHERE id = $1";
  return find_one<transfer_record>(rows_of(lookup(sql, {id})), read_transfer);
}

std::optional<order_record> store_reader::find_order(const std::string& id) {
  static const std::string sql =
    std::string{"SELECT "} + order_columns + " FROM orders WHERE id = $1";
  return find_one<order_record>(rows_of(lookup(sql, {id})), read_order);
}

std::optional<idempotency_record> store_reader::find_idempotency_record(const tenant_name& tenant,
                                                                        const std::string& key) {
  static const std::string sql =
      "SELECT fingerprint, status, body, created_at"
      " FROM idempotency_keys WHERE tenant = $1 AND idempotency_key = $2";
  auto read = [&](const text_row& row) {
    return idempotency_record{tenant, key, read_text(row, 0), read_int64(row, 1),
                              read_text(row, 2), read_int64(row, 3)};
  };
  return find_one<idempotency_record>(rows_of(lookup(sql, {tenant, key})), read);
}

std::int64_t store_reader::count_open_accounts(const std::string& user_id) {
  std::int64_t count = 0;
  for_each_row(rows_of("SELECT COUNT(*) FROM accounts WHERE " + equals("user_id", user_id) +
                       " AND status = 'open'"),
               [&](const text_row& row) { count = read_int64(row, 0); });
  return count;
}

template <class Record, class Reader>
list_page<Record> store_reader::list(const std::string& table, const std::string& columns,
                                     const std::string& scope, const list_query& query,
                                     Reader read) {
  list_page<Record> page;
  std::string where = scope.empty() ? std::string{"1 = 1"} : scope;
  if (!query.starting_after.empty()) {
    std::optional<std::int64_t> cursor;
    for_each_row(rows_of("SELECT ordinal FROM " + table + " WHERE " + where + " AND " +
                         equals("id", query.starting_after)),
                 [&](const text_row& row) { cursor = read_int64(row, 0); });
    if (!cursor) {
      page.cursor_unknown = true;
      return page;
    }
    where += " AND ordinal < " + std::to_string(*cursor);
  }
  std::string sql = "SELECT " + columns + " FROM " + table + " WHERE " + where +
                    " ORDER BY ordinal DESC LIMIT " + std::to_string(query.limit + 1);
  for_each_row(rows_of(sql), [&](const text_row& row) { page.items.push_back(read(row)); });
  if (static_cast<std::int64_t>(page.items.size()) > query.limit) {
    page.items.pop_back();
    page.has_more = true;
  }
  return page;
}

list_page<user_record> store_reader::list_users(const list_query& query) {
  std::string scope = "deleted = 0";
  if (!query.tenant.empty()) {
    scope += " AND " + equals("tenant", query.tenant);
  }
  return list<user_record>("users", user_columns, scope, query, read_user);
}

list_page<account_record> store_reader::list_accounts(const list_query& query) {
  std::string scope = "tenant <> " + std::string{"'"} + system_tenant + "'";
  if (!query.tenant.empty()) {
    scope = equals("tenant", query.tenant);
  }
  if (!query.filter.empty()) {
    scope += " AND " + equals("user_id", query.filter);
  }
  return list<account_record>("accounts", account_columns, scope, query, read_account);
}

list_page<transfer_record> store_reader::list_transfers(const list_query& query) {
  std::string scope;
  if (!query.tenant.empty()) {
    scope = "(" + equals("from_tenant", query.tenant) + " OR " + equals("to_tenant", query.tenant) +
            ")";
  }
  if (!query.filter.empty()) {
    scope += scope.empty() ? "" : " AND ";
    scope += "(" + equals("from_account", query.filter) + " OR " +
             equals("to_account", query.filter) + ")";
  }
  return list<transfer_record>("transfers", transfer_columns, scope, query, read_transfer);
}

list_page<entry_record> store_reader::list_entries(const list_query& query) {
  return list<entry_record>("entries", entry_columns, equals("account_id", query.filter), query,
                            read_entry);
}

list_page<order_record> store_reader::list_orders(const list_query& query) {
  std::string scope = "1 = 1";
  if (!query.tenant.empty()) { // the payer's tenant and the payee's
    scope = "(" + equals("tenant", query.tenant) + " OR " + equals("payee_tenant", query.tenant) +
            ")";
  }
  if (!query.filter.empty()) {
    scope += " AND (" + equals("payer_account", query.filter) + " OR " +
             equals("payee_account", query.filter) + ")";
  }
  if (!query.status.empty()) {
    scope += " AND " + equals("status", query.status);
  }
  return list<order_record>("orders", order_columns, scope, query, read_order);
}

namespace {

// A LIKE pattern that matches `word` as a whole space-separated item, with LIKE's
// wildcards in it escaped.
std::string contains_word(const char* column, const std::string& word) {
  std::string escaped;
  for (char c : word) {
    if (c == '%' || c == '_' || c == '\\') {
      escaped.push_back('\\');
    }
    escaped.push_back(c);
  }
  std::string sql = column;
  sql += " LIKE ";
  append_literal(sql, "% " + escaped + " %");
  sql += " ESCAPE '\\'";
  return sql;
}

std::vector<std::string> split_words(const std::string& padded) {
  std::vector<std::string> words;
  std::size_t start = 0;
  while (start < padded.size()) {
    auto end = padded.find(' ', start);
    if (end == std::string::npos) {
      end = padded.size();
    }
    if (end > start) {
      words.push_back(padded.substr(start, end - start));
    }
    start = end + 1;
  }
  return words;
}

} // namespace

event_page store_reader::list_events(const event_query& query) {
  std::string sql = "SELECT seq, name, tenants, topics, object, at FROM events WHERE seq > " +
                    std::to_string(query.after);
  if (!query.tenant.empty()) {
    sql += " AND " + contains_word("tenants", query.tenant);
  }
  sql += " ORDER BY seq LIMIT " + std::to_string(query.limit + 1);
  event_page page;
  for_each_row(rows_of(sql), [&](const text_row& row) {
    page.events.push_back(
        event_record{read_int64(row, 0), read_text(row, 1), split_words(read_text(row, 2)),
                     split_words(read_text(row, 3)), read_text(row, 4), read_int64(row, 5)});
  });
  if (static_cast<std::int64_t>(page.events.size()) > query.limit) {
    page.events.pop_back();
    page.has_more = true;
  }
  return page;
}

std::vector<std::string> store_reader::authorized_order_ids() {
  std::vector<std::string> ids;
  for_each_row(rows_of("SELECT id FROM orders WHERE status = 'authorized'"),
               [&](const text_row& row) { ids.push_back(read_text(row, 0)); });
  return ids;
}

audit_report store_reader::audit() {
  audit_report report;
  // Currencies in use: those with an account besides the world account.
  for_each_row(rows_of("SELECT currency, CAST(SUM(balance) AS TEXT), COUNT(*) FROM accounts"
                       " GROUP BY currency HAVING COUNT(*) > 1 ORDER BY currency"),
               [&](const text_row& row) {
                 report.currencies.push_back(
                     {read_text(row, 0), read_text(row, 1, "0"), read_int64(row, 2), 0});
               });
  for (auto& currency : report.currencies) {
    for_each_row(
        rows_of("SELECT COUNT(*) FROM entries e JOIN accounts a ON a.id = e.account_id WHERE " +
                equals("a.currency", currency.currency)),
        [&](const text_row& row) { currency.entries = read_int64(row, 0); });
  }
  for_each_row(rows_of("SELECT a.id, a.balance, CAST(COALESCE(e.total, 0) AS TEXT) FROM accounts a"
                       " LEFT JOIN (SELECT account_id, SUM(amount) AS total FROM entries"
                       " GROUP BY account_id) e ON e.account_id = a.id"
                       " WHERE a.balance <> COALESCE(e.total, 0) ORDER BY a.id"),
               [&](const text_row& row) {
                 report.mismatched_accounts.push_back(
                     {read_text(row, 0), read_int64(row, 1), read_text(row, 2, "0")});
               });
  return report;
}

std::int64_t store_reader::largest_ordinal() {
  std::int64_t largest = 0;
  for (const char* table : {"users", "accounts", "transfers", "orders"}) {
    for_each_row(rows_of(std::string{"SELECT MAX(ordinal) FROM "} + table),
                 [&](const text_row& row) { largest = std::max(largest, read_int64(row, 0)); });
  }
  return largest;
}

std::int64_t store_reader::largest_event_seq() {
  std::int64_t largest = 0;
  for_each_row(rows_of("SELECT MAX(seq) FROM events"),
               [&](const text_row& row) { largest = read_int64(row, 0); });
  return largest;
}

} // namespace settle::persistence
