// Read queries. Every value is a bound parameter ($1, $2, ... on both databases), never
// spliced into the SQL text, so no server setting changes what a query means. The lookups
// that load entities for their actors, by the thousand per second, are prepared once per
// connection on PostgreSQL: planning such a lookup costs more than running it.
#include "persistence/store_reader.hpp"

#include "persistence/connection.hpp"
#include "persistence/event_columns.hpp"
#include "persistence/page_query.hpp"
#include "persistence/record_reading.hpp"
#include "persistence/row_batch.hpp"
#include "persistence/row_reading.hpp"
#include "persistence/text_query.hpp"

#include <soci/soci.h>

#include <limits>

namespace settle::persistence {

namespace {

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

store_reader::store_reader(const storage_url& url, std::chrono::milliseconds statement_timeout)
    : url_(url)
    , statement_timeout_(statement_timeout) {
  open();
}

void store_reader::open() {
  session_ = open_session(url_);
  if (url_.kind == dialect::postgresql) {
    query_bound(*session_, url_.kind, "SELECT set_config('statement_timeout', $1, false)",
                {std::to_string(statement_timeout_.count())});
  }
}

void store_reader::reconnect() {
  session_.reset();
  prepared_.clear();
  open();
}

text_rows store_reader::rows_of(const std::string& sql, const std::vector<sql_value>& values) {
  if (!session_) {
    throw storage_error{"not connected to the database"};
  }
  return query_bound(*session_, url_.kind, sql, values);
}

text_rows store_reader::lookup(const std::string& sql, const std::vector<sql_value>& values) {
  if (!session_ || url_.kind != dialect::postgresql) {
    return rows_of(sql, values);
  }
  return query_prepared(*session_, prepared_.name_of(*session_, sql), values);
}

store_reader::~store_reader() = default;

std::optional<user_record> store_reader::find_user(const user_id& id) {
  static const std::string sql =
    std::string{"SELECT "} + user_columns + " FROM users WHERE id = $1 AND deleted = 0";
  return find_one<user_record>(lookup(sql, {id.value}), read_user);
}

std::optional<account_record> store_reader::find_account(const account_id& id) {
  static const std::string sql =
    std::string{"SELECT "} + account_columns + " FROM accounts WHERE id = $1";
  return find_one<account_record>(lookup(sql, {id.value}), read_account);
}

std::optional<transfer_record> store_reader::find_transfer(const transfer_id& id) {
  static const std::string sql =
    std::string{"SELECT "} + transfer_columns + " FROM transfers WHERE id = $1";
  return find_one<transfer_record>(lookup(sql, {id.value}), read_transfer);
}

std::optional<order_record> store_reader::find_order(const order_id& id) {
  static const std::string sql =
    std::string{"SELECT "} + order_columns + " FROM orders WHERE id = $1";
  return find_one<order_record>(lookup(sql, {id.value}), read_order);
}

std::optional<idempotency_record> store_reader::find_idempotency_record(const tenant_name& tenant,
                                                                        const std::string& key) {
  idempotency_record wanted;
  wanted.tenant = tenant;
  wanted.key = key;
  auto found = find_idempotency_records({wanted});
  if (found.empty()) {
    return std::nullopt;
  }
  return std::move(found.front());
}

std::vector<idempotency_record>
store_reader::find_idempotency_records(const std::vector<idempotency_record>& wanted) {
  // PostgreSQL keeps one generic plan per prepared statement: a join of the keys planned
  // while the table was small hashed the whole table on every later call (37 ms at
  // 100,000 keys). A lateral lookup with LIMIT 1 can only be a probe per key. SQLite has
  // no LATERAL, and plans each statement anew.
  static const std::string columns =
    "SELECT tenant, idempotency_key, fingerprint, status, body, created_at FROM idempotency_keys";
  static const std::string postgresql_sql =
    "WITH wanted (wanted_tenant, wanted_key) AS ({rows}) SELECT found.* FROM wanted"
    " CROSS JOIN LATERAL (" + columns
    + " WHERE tenant = wanted_tenant AND idempotency_key = wanted_key LIMIT 1) found";
  static const std::string sqlite_sql =
    "WITH wanted (wanted_tenant, wanted_key) AS ({rows}) " + columns
    + " JOIN wanted ON tenant = wanted_tenant AND idempotency_key = wanted_key";
  const auto& sql = url_.kind == dialect::postgresql ? postgresql_sql : sqlite_sql;
  row_batch keys{url_.kind};
  for (const auto& record : wanted) {
    keys.text(record.tenant.value).text(record.key).end_row();
  }
  std::vector<idempotency_record> found;
  keys.for_each_statement([&](std::size_t start, std::size_t end) {
    auto statement = keys.statement(sql, start, end);
    for_each_row(lookup(statement.sql, statement.values), [&](const text_row& row) {
      found.push_back(idempotency_record{tenant_name{read_text(row, 0)}, read_text(row, 1),
                                         read_text(row, 2), read_int64(row, 3),
                                         read_text(row, 4), read_int64(row, 5)});
    });
  });
  return found;
}

std::int64_t store_reader::count_open_accounts(const user_id& user) {
  std::int64_t count = 0;
  for_each_row(rows_of("SELECT COUNT(*) FROM accounts WHERE user_id = $1 AND status = 'open'",
                       {user.value}),
               [&](const text_row& row) { count = read_int64(row, 0); });
  return count;
}

std::optional<webhook_endpoint_record>
store_reader::find_webhook_endpoint(const webhook_endpoint_id& id) {
  static const std::string sql = std::string{"SELECT "} + webhook_endpoint_columns
                                 + " FROM webhook_endpoints WHERE id = $1 AND deleted = 0";
  return find_one<webhook_endpoint_record>(lookup(sql, {id.value}), read_webhook_endpoint);
}

std::optional<webhook_delivery_record>
store_reader::find_webhook_delivery(const webhook_delivery_id& id) {
  static const std::string sql = std::string{"SELECT "} + webhook_delivery_columns
                                 + " FROM webhook_deliveries WHERE id = $1";
  return find_one<webhook_delivery_record>(lookup(sql, {id.value}), read_webhook_delivery);
}

std::int64_t store_reader::count_webhook_endpoints(const tenant_name& tenant) {
  std::int64_t count = 0;
  for_each_row(rows_of("SELECT COUNT(*) FROM webhook_endpoints WHERE tenant = $1 AND deleted = 0",
                       {tenant.value}),
               [&](const text_row& row) { count = read_int64(row, 0); });
  return count;
}

std::vector<webhook_endpoint_id> store_reader::enabled_webhook_endpoint_ids() {
  std::vector<webhook_endpoint_id> ids;
  for_each_row(
    rows_of("SELECT id FROM webhook_endpoints WHERE status = 'enabled' AND deleted = 0"),
    [&](const text_row& row) { ids.push_back(webhook_endpoint_id{read_text(row, 0)}); });
  return ids;
}

// Deposits and withdrawals only (see tenant_deposits). Summed in the database, but in two parts of each amount (above and below 10^9): a sum
// of whole amounts can pass 64 bits on the way (a tenant that deposited and withdrew
// 10^15 ten thousand times), which SQLite refuses as an overflow; the parts cannot.
std::vector<tenant_amount> store_reader::net_deposits_through(const account_id& world) {
  static const std::string sql =
    "SELECT tenant, SUM(amount / 1000000000), SUM(amount % 1000000000) FROM ("
    " SELECT to_tenant AS tenant, amount FROM transfers"
    "  WHERE from_account = $1 AND kind = 'deposit'"
    " UNION ALL"
    " SELECT from_tenant AS tenant, -amount AS amount FROM transfers"
    "  WHERE to_account = $1 AND kind = 'withdrawal'"
    ") AS moved GROUP BY tenant";
  std::vector<tenant_amount> totals;
  for_each_row(rows_of(sql, {world.value}), [&](const text_row& row) {
    auto above = read_int64(row, 1);
    std::int64_t net = 0;
    if (__builtin_mul_overflow(above, 1'000'000'000, &net)
        || __builtin_add_overflow(net, read_int64(row, 2), &net)) {
      net = above < 0 ? std::numeric_limits<std::int64_t>::min()
                      : std::numeric_limits<std::int64_t>::max();
    }
    totals.push_back(tenant_amount{tenant_name{read_text(row, 0)}, net});
  });
  return totals;
}

// `scope`'s values are in `bound`; the cursor and the limit are bound after them.
template <class Record, class Reader>
list_page<Record> store_reader::list(const std::string& table, const std::string& columns,
                                     list_scope scope, bound_values& bound,
                                     const list_query& query, Reader read) {
  list_page<Record> page;
  if (!query.starting_after.empty()) {
    std::optional<std::int64_t> cursor;
    bound_values cursor_values = bound;
    auto condition = cursor_values.equals("id", query.starting_after);
    for (const auto& [column, value] : scope.cursor_equals) {
      condition += " AND " + cursor_values.equals(column, value);
    }
    auto sql = lookup_sql(table, "ordinal", scope, condition);
    for_each_row(rows_of(sql, cursor_values.values()),
                 [&](const text_row& row) { cursor = read_int64(row, 0); });
    if (!cursor) {
      page.cursor_unknown = true;
      return page;
    }
    scope.conditions.push_back("ordinal < " + bound.bind(*cursor));
  }
  auto sql = page_sql(table, columns, scope, "ordinal DESC", bound.bind(query.limit + 1));
  for_each_row(rows_of(sql, bound.values()),
               [&](const text_row& row) { page.items.push_back(read(row)); });
  if (static_cast<std::int64_t>(page.items.size()) > query.limit) {
    page.items.pop_back();
    page.has_more = true;
  }
  return page;
}

list_page<user_record> store_reader::list_users(const list_query& query) {
  bound_values bound;
  list_scope scope;
  scope.conditions.push_back("deleted = 0");
  if (!query.tenant.empty()) {
    scope.conditions.push_back(bound.equals("tenant", query.tenant.value));
  }
  return list<user_record>("users", user_columns, std::move(scope), bound, query, read_user);
}

list_page<account_record> store_reader::list_accounts(const list_query& query) {
  bound_values bound;
  list_scope scope;
  scope.conditions.push_back(query.tenant.empty() ? "tenant <> " + bound.bind(system_tenant.value)
                                                  : bound.equals("tenant", query.tenant.value));
  if (!query.filter.empty()) {
    scope.conditions.push_back(bound.equals("user_id", query.filter));
  }
  return list<account_record>("accounts", account_columns, std::move(scope), bound, query,
                              read_account);
}

list_page<transfer_record> store_reader::list_transfers(const list_query& query) {
  if (!query.filter.empty()) {
    return list_account_transfers(query);
  }
  bound_values bound;
  return list<transfer_record>("transfers", transfer_columns, transfers_scope(bound, query),
                               bound, query, read_transfer);
}

// The account's transfers in its own order, then those written before migration 16; a
// cursor names a transfer of either.
list_page<transfer_record> store_reader::list_account_transfers(const list_query& query) {
  auto in_era = [&](transfer_era era, const list_query& part) {
    bound_values bound;
    return list<transfer_record>("transfers", transfer_columns,
                                 account_transfers_scope(bound, part, era), bound, part,
                                 read_transfer);
  };
  auto page = in_era(transfer_era::lean, query);
  if (page.cursor_unknown) {
    return in_era(transfer_era::before, query);
  }
  if (page.has_more) {
    return page;
  }
  // Room left on the page (or none: then only whether more exist) for the older ones.
  auto rest_query = query;
  rest_query.starting_after.clear();
  rest_query.limit = query.limit - static_cast<std::int64_t>(page.items.size());
  auto rest = in_era(transfer_era::before, rest_query);
  page.items.insert(page.items.end(), std::make_move_iterator(rest.items.begin()),
                    std::make_move_iterator(rest.items.end()));
  page.has_more = rest.has_more;
  return page;
}

list_page<entry_record> store_reader::list_entries(const list_query& query) {
  bound_values bound;
  auto scope = entries_scope(bound, query);
  if (auto transfer = transfer_of_entry(query.starting_after)) {
    scope.cursor_equals.emplace_back("transfer_id", *transfer);
  }
  return list<entry_record>("entries", entry_columns, std::move(scope), bound, query, read_entry);
}

list_page<order_record> store_reader::list_orders(const list_query& query) {
  bound_values bound;
  return list<order_record>("orders", order_columns, orders_scope(bound, query), bound, query,
                            read_order);
}

list_page<webhook_endpoint_record>
store_reader::list_webhook_endpoints(const list_query& query) {
  bound_values bound;
  list_scope scope;
  scope.conditions.push_back("deleted = 0");
  if (!query.tenant.empty()) {
    scope.conditions.push_back(bound.equals("tenant", query.tenant.value));
  }
  return list<webhook_endpoint_record>("webhook_endpoints", webhook_endpoint_columns,
                                       std::move(scope), bound, query, read_webhook_endpoint);
}

list_page<webhook_delivery_record>
store_reader::list_webhook_deliveries(const list_query& query) {
  bound_values bound;
  list_scope scope;
  scope.conditions.push_back(bound.equals("endpoint_id", query.filter));
  if (!query.tenant.empty()) {
    scope.conditions.push_back(bound.equals("tenant", query.tenant.value));
  }
  return list<webhook_delivery_record>("webhook_deliveries", webhook_delivery_columns,
                                       std::move(scope), bound, query, read_webhook_delivery);
}

// PostgreSQL: the seq below which every event's transaction has ended, taken before the
// query's own snapshot, so the events it returns are a prefix of the log's final order
// (the nodes of a cluster commit concurrently; see migration 14). None on SQLite, whose
// one writer commits in seq order.
std::optional<std::int64_t> store_reader::event_watermark() {
  if (url_.kind != dialect::postgresql) {
    return std::nullopt;
  }
  auto rows = rows_of("SELECT settle_event_watermark()");
  if (rows.size() != 1) {
    throw storage_error{"the database gave no event watermark"};
  }
  return read_int64(rows[0], 0);
}

event_page store_reader::list_events(const event_query& query) {
  bound_values bound;
  auto scope = events_scope(bound, query);
  if (auto watermark = event_watermark()) {
    scope.conditions.push_back("seq < " + bound.bind(*watermark));
  }
  auto sql = page_sql("events", event_columns, scope, "seq", bound.bind(query.limit + 1));
  event_page page;
  for_each_row(rows_of(sql, bound.values()), [&](const text_row& row) {
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

std::vector<order_id> store_reader::authorized_order_ids() {
  std::vector<order_id> ids;
  for_each_row(rows_of("SELECT id FROM orders WHERE status = 'authorized'"),
               [&](const text_row& row) { ids.push_back(order_id{read_text(row, 0)}); });
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
        rows_of("SELECT COUNT(*) FROM ledger_entries e JOIN accounts a ON a.id = e.account_id"
                " WHERE a.currency = $1",
                {currency.currency}),
        [&](const text_row& row) { currency.entries = read_int64(row, 0); });
  }
  for_each_row(rows_of("SELECT a.id, a.balance, CAST(COALESCE(e.total, 0) AS TEXT) FROM accounts a"
                       " LEFT JOIN (SELECT account_id, SUM(amount) AS total FROM ledger_entries"
                       " GROUP BY account_id) e ON e.account_id = a.id"
                       " WHERE a.balance <> COALESCE(e.total, 0) ORDER BY a.id"),
               [&](const text_row& row) {
                 report.mismatched_accounts.push_back(
                     {account_id{read_text(row, 0)}, read_int64(row, 1), read_text(row, 2, "0")});
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
  std::string sql = "SELECT MAX(seq) FROM events";
  std::vector<sql_value> values;
  if (auto watermark = event_watermark()) {
    sql += " WHERE seq < $1";
    values.push_back(*watermark);
  }
  for_each_row(rows_of(sql, values),
               [&](const text_row& row) { largest = read_int64(row, 0); });
  return largest;
}

} // namespace settle::persistence
