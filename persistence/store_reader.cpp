// Read queries. Values are written into the SQL as quoted literals (sql_literal), the
// same way the writer does, so both dialects run the same text.
#include "persistence/store_reader.hpp"

#include "persistence/connection.hpp"
#include "persistence/row_reading.hpp"
#include "persistence/sql_literal.hpp"

#include <soci/soci.h>

namespace settle::persistence {
namespace {

const char* const user_columns = "id, tenant, name, email, deleted, created_at, ordinal";
const char* const account_columns =
  "id, tenant, user_id, currency, balance, held, overdraft_limit, status, created_at, ordinal";
const char* const transfer_columns =
  "id, kind, from_account, to_account, from_tenant, to_tenant, order_id, amount, currency,"
  " description, created_at, settled_at, ordinal";
const char* const order_columns =
  "id, tenant, payer_account, payee_account, amount, currency, capture_method, status,"
  " amount_authorized, amount_captured, amount_refunded, description, failure_code,"
  " expires_at, authorization_ttl_s, created_at, updated_at, ordinal";
const char* const entry_columns =
  "id, account_id, transfer_id, order_id, kind, amount, balance_after, created_at, ordinal";

transfer_kind parse_kind(const std::string& text) {
  for (auto kind : {transfer_kind::deposit, transfer_kind::withdrawal, transfer_kind::transfer,
                    transfer_kind::capture, transfer_kind::refund}) {
    if (text == to_string(kind)) {
      return kind;
    }
  }
  throw storage_error{"unknown transfer kind in storage: " + text};
}

user_record read_user(const soci::row& row) {
  user_record user;
  user.id = row.get<std::string>(0);
  user.tenant = row.get<std::string>(1);
  user.name = row.get<std::string>(2);
  user.email = row.get<std::string>(3);
  user.deleted = read_int64(row, 4) != 0;
  user.created_at = read_int64(row, 5);
  user.ordinal = read_int64(row, 6);
  return user;
}

account_record read_account(const soci::row& row) {
  account_record account;
  account.id = row.get<std::string>(0);
  account.tenant = row.get<std::string>(1);
  account.user_id = read_text(row, 2);
  account.currency = row.get<std::string>(3);
  account.balance = read_int64(row, 4);
  account.held = read_int64(row, 5);
  account.overdraft_limit = read_int64(row, 6);
  account.status = row.get<std::string>(7) == "closed" ? account_status::closed
                                                       : account_status::open;
  account.created_at = read_int64(row, 8);
  account.ordinal = read_int64(row, 9);
  return account;
}

transfer_record read_transfer(const soci::row& row) {
  transfer_record transfer;
  transfer.id = row.get<std::string>(0);
  transfer.kind = parse_kind(row.get<std::string>(1));
  transfer.from_account = row.get<std::string>(2);
  transfer.to_account = row.get<std::string>(3);
  transfer.from_tenant = row.get<std::string>(4);
  transfer.to_tenant = row.get<std::string>(5);
  transfer.order_id = read_text(row, 6);
  transfer.amount = read_int64(row, 7);
  transfer.currency = row.get<std::string>(8);
  transfer.description = row.get<std::string>(9);
  transfer.created_at = read_int64(row, 10);
  transfer.settled_at = read_int64(row, 11);
  transfer.ordinal = read_int64(row, 12);
  return transfer;
}

entry_record read_entry(const soci::row& row) {
  entry_record entry;
  entry.id = row.get<std::string>(0);
  entry.account_id = row.get<std::string>(1);
  entry.transfer_id = row.get<std::string>(2);
  entry.order_id = read_text(row, 3);
  entry.kind = parse_kind(row.get<std::string>(4));
  entry.amount = read_int64(row, 5);
  entry.balance_after = read_int64(row, 6);
  entry.created_at = read_int64(row, 7);
  entry.ordinal = read_int64(row, 8);
  return entry;
}

order_record read_order(const soci::row& row) {
  order_record order;
  order.id = row.get<std::string>(0);
  order.tenant = row.get<std::string>(1);
  order.payer_account = row.get<std::string>(2);
  order.payee_account = row.get<std::string>(3);
  order.amount = read_int64(row, 4);
  order.currency = row.get<std::string>(5);
  auto method = parse_capture_method(row.get<std::string>(6));
  auto status = parse_order_status(row.get<std::string>(7));
  if (!method || !status) {
    throw storage_error{"unknown order capture method or status in storage"};
  }
  order.capture = *method;
  order.status = *status;
  order.amount_authorized = read_int64(row, 8);
  order.amount_captured = read_int64(row, 9);
  order.amount_refunded = read_int64(row, 10);
  order.description = row.get<std::string>(11);
  order.failure_code = read_text(row, 12);
  order.expires_at = read_int64(row, 13);
  order.authorization_ttl_seconds = read_int64(row, 14);
  order.created_at = read_int64(row, 15);
  order.updated_at = read_int64(row, 16);
  order.ordinal = read_int64(row, 17);
  return order;
}

std::string equals(const char* column, const std::string& value) {
  std::string sql = column;
  sql += " = ";
  append_literal(sql, value);
  return sql;
}

// Runs `sql` and hands each row to `consume`.
template <class Consume>
void for_each_row(soci::session* session_pointer, const std::string& sql, Consume consume) {
  if (session_pointer == nullptr) {
    throw storage_error{"not connected to the database"};
  }
  auto& session = *session_pointer;
  try {
    soci::rowset<soci::row> rows = (session.prepare << sql);
    for (const auto& row : rows) {
      consume(row);
    }
  } catch (const storage_error&) {
    throw;
  } catch (const std::exception& error) {
    throw storage_error{error.what()};
  }
}

template <class Record, class Reader>
std::optional<Record> find_one(soci::session* session, const std::string& sql, Reader read) {
  std::optional<Record> found;
  for_each_row(session, sql, [&](const soci::row& row) { found = read(row); });
  return found;
}

} // namespace

store_reader::store_reader(const storage_url& url) : url_(url), session_(open_session(url)) {
}

void store_reader::reconnect() {
  session_.reset();
  session_ = open_session(url_);
}

store_reader::~store_reader() = default;

std::optional<user_record> store_reader::find_user(const std::string& id) {
  return find_one<user_record>(session_.get(),
                               std::string{"SELECT "} + user_columns + " FROM users WHERE "
                                 + equals("id", id) + " AND deleted = 0",
                               read_user);
}

std::optional<account_record> store_reader::find_account(const std::string& id) {
  return find_one<account_record>(
    session_.get(), std::string{"SELECT "} + account_columns + " FROM accounts WHERE " + equals("id", id),
    read_account);
}

std::optional<transfer_record> store_reader::find_transfer(const std::string& id) {
  return find_one<transfer_record>(session_.get(),
                                   std::string{"SELECT "} + transfer_columns
                                     + " FROM transfers WHERE " + equals("id", id),
                                   read_transfer);
}

std::optional<order_record> store_reader::find_order(const std::string& id) {
  return find_one<order_record>(
    session_.get(), std::string{"SELECT "} + order_columns + " FROM orders WHERE " + equals("id", id),
    read_order);
}

std::optional<idempotency_record>
store_reader::find_idempotency_record(const tenant_name& tenant, const std::string& key) {
  std::string sql = "SELECT fingerprint, status, body, created_at FROM idempotency_keys WHERE "
                    + equals("tenant", tenant) + " AND " + equals("idempotency_key", key);
  return find_one<idempotency_record>(session_.get(), sql, [&](const soci::row& row) {
    return idempotency_record{tenant, key, row.get<std::string>(0), read_int64(row, 1),
                              row.get<std::string>(2), read_int64(row, 3)};
  });
}

std::int64_t store_reader::count_open_accounts(const std::string& user_id) {
  std::int64_t count = 0;
  for_each_row(session_.get(),
               "SELECT COUNT(*) FROM accounts WHERE " + equals("user_id", user_id)
                 + " AND status = 'open'",
               [&](const soci::row& row) { count = read_int64(row, 0); });
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
    for_each_row(session_.get(),
                 "SELECT ordinal FROM " + table + " WHERE " + where + " AND "
                   + equals("id", query.starting_after),
                 [&](const soci::row& row) { cursor = read_int64(row, 0); });
    if (!cursor) {
      page.cursor_unknown = true;
      return page;
    }
    where += " AND ordinal < " + std::to_string(*cursor);
  }
  std::string sql = "SELECT " + columns + " FROM " + table + " WHERE " + where
                    + " ORDER BY ordinal DESC LIMIT " + std::to_string(query.limit + 1);
  for_each_row(session_.get(), sql, [&](const soci::row& row) { page.items.push_back(read(row)); });
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
    scope = "(" + equals("from_tenant", query.tenant) + " OR "
            + equals("to_tenant", query.tenant) + ")";
  }
  if (!query.filter.empty()) {
    scope += scope.empty() ? "" : " AND ";
    scope += "(" + equals("from_account", query.filter) + " OR "
             + equals("to_account", query.filter) + ")";
  }
  return list<transfer_record>("transfers", transfer_columns, scope, query, read_transfer);
}

list_page<entry_record> store_reader::list_entries(const list_query& query) {
  return list<entry_record>("entries", entry_columns, equals("account_id", query.filter), query,
                            read_entry);
}

list_page<order_record> store_reader::list_orders(const list_query& query) {
  std::string scope = "1 = 1";
  if (!query.tenant.empty()) {
    scope = equals("tenant", query.tenant);
  }
  if (!query.filter.empty()) {
    scope += " AND (" + equals("payer_account", query.filter) + " OR "
             + equals("payee_account", query.filter) + ")";
  }
  if (!query.status.empty()) {
    scope += " AND " + equals("status", query.status);
  }
  return list<order_record>("orders", order_columns, scope, query, read_order);
}

std::vector<std::string> store_reader::authorized_order_ids() {
  std::vector<std::string> ids;
  for_each_row(session_.get(), "SELECT id FROM orders WHERE status = 'authorized'",
               [&](const soci::row& row) { ids.push_back(row.get<std::string>(0)); });
  return ids;
}

audit_report store_reader::audit() {
  audit_report report;
  // Currencies in use: those with an account besides the world account.
  for_each_row(session_.get(),
               "SELECT currency, CAST(SUM(balance) AS TEXT), COUNT(*) FROM accounts"
               " GROUP BY currency HAVING COUNT(*) > 1 ORDER BY currency",
               [&](const soci::row& row) {
                 report.currencies.push_back(
                   {row.get<std::string>(0), read_text(row, 1, "0"), read_int64(row, 2), 0});
               });
  for (auto& currency : report.currencies) {
    for_each_row(session_.get(),
                 "SELECT COUNT(*) FROM entries e JOIN accounts a ON a.id = e.account_id WHERE "
                   + equals("a.currency", currency.currency),
                 [&](const soci::row& row) { currency.entries = read_int64(row, 0); });
  }
  for_each_row(session_.get(),
               "SELECT a.id, a.balance, CAST(COALESCE(e.total, 0) AS TEXT) FROM accounts a"
               " LEFT JOIN (SELECT account_id, SUM(amount) AS total FROM entries"
               " GROUP BY account_id) e ON e.account_id = a.id"
               " WHERE a.balance <> COALESCE(e.total, 0) ORDER BY a.id",
               [&](const soci::row& row) {
                 report.mismatched_accounts.push_back(
                   {row.get<std::string>(0), read_int64(row, 1), read_text(row, 2, "0")});
               });
  return report;
}

std::int64_t store_reader::largest_ordinal() {
  std::int64_t largest = 0;
  for (const char* table : {"users", "accounts", "transfers", "orders"}) {
    for_each_row(session_.get(), std::string{"SELECT MAX(ordinal) FROM "} + table,
                 [&](const soci::row& row) { largest = std::max(largest, read_int64(row, 0)); });
  }
  return largest;
}

} // namespace settle::persistence
