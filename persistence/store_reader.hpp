// The read side of the database: loads entities for their actors and answers list,
// lookup and audit queries. Blocking: used only from the reader's own thread.
#pragma once

#include "domain/order.hpp"
#include "domain/records.hpp"
#include "domain/webhook_endpoint.hpp"
#include "persistence/prepared_statements.hpp"
#include "persistence/storage_url.hpp"
#include "persistence/text_query.hpp"
#include "persistence/write_set.hpp"

#include <cstdint>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace soci {
class session;
}

namespace settle::persistence {

class text_rows;
class bound_values;
struct list_scope;

// One page of a list: newest first, `limit` items after the `starting_after` item.
struct list_query {
  tenant_name tenant;          // empty: every tenant (admin)
  std::string starting_after;  // an id, or empty
  std::int64_t limit = 20;
  std::string filter;          // user_id for accounts, account for transfers and orders
  std::string status;          // orders only: a status, or empty for all
};

template <class Record>
struct list_page {
  std::vector<Record> items;
  bool has_more = false;
  bool cursor_unknown = false; // starting_after names nothing in this list
};

// Events after a sequence number, ascending, that a tenant may see.
struct event_query {
  tenant_name tenant; // empty: every tenant (admin)
  std::int64_t after = 0;
  std::int64_t limit = 20;
};

struct event_page {
  std::vector<event_record> events;
  bool has_more = false;
};

struct currency_audit {
  std::string currency;
  std::string sum_of_balances; // decimal text: exact even if the invariant is broken
  std::int64_t accounts = 0;
  std::int64_t entries = 0;
};

// An account whose balance differs from the sum of its entries.
struct account_mismatch {
  settle::account_id account_id;
  std::int64_t balance = 0;
  std::string sum_of_entries; // decimal text: exact at any size
};

struct audit_report {
  std::vector<currency_audit> currencies;
  std::vector<account_mismatch> mismatched_accounts;
};

class store_reader {
public:
  // On PostgreSQL each statement is cancelled after `statement_timeout` (one slow query
  // must not hold the reader, and every request behind it, for ever).
  explicit store_reader(const storage_url& url,
                        std::chrono::milliseconds statement_timeout = std::chrono::seconds{30});
  ~store_reader();
  store_reader(const store_reader&) = delete;
  store_reader& operator=(const store_reader&) = delete;

  std::optional<user_record> find_user(const user_id& id);
  std::optional<account_record> find_account(const account_id& id);
  std::optional<transfer_record> find_transfer(const transfer_id& id);
  std::optional<order_record> find_order(const order_id& id);
  std::optional<idempotency_record> find_idempotency_record(const tenant_name& tenant,
                                                            const std::string& key);
  // The stored answers of the keys `wanted` names (each by its tenant and key; its other
  // fields are ignored), in no particular order: a key with no answer is absent. One
  // query (per 400 keys on SQLite), so that many claims cost one round trip.
  std::vector<idempotency_record>
  find_idempotency_records(const std::vector<idempotency_record>& wanted);
  std::int64_t count_open_accounts(const user_id& user);
  std::optional<webhook_endpoint_record> find_webhook_endpoint(const webhook_endpoint_id& id);
  std::optional<webhook_delivery_record> find_webhook_delivery(const webhook_delivery_id& id);
  // A tenant's endpoints not deleted (see maximum_webhook_endpoints).
  std::int64_t count_webhook_endpoints(const tenant_name& tenant);
  // Every enabled endpoint's id: their actors must run wherever their shards live.
  std::vector<webhook_endpoint_id> enabled_webhook_endpoint_ids();
  // Each tenant's net deposits through the world account `world_id` (see tenant_deposits).
  std::vector<tenant_amount> net_deposits_through(const account_id& world);

  list_page<user_record> list_users(const list_query& query);
  list_page<account_record> list_accounts(const list_query& query);
  list_page<transfer_record> list_transfers(const list_query& query); // filter: an account
  list_page<entry_record> list_entries(const list_query& query); // filter: the account
  list_page<order_record> list_orders(const list_query& query);
  list_page<webhook_endpoint_record> list_webhook_endpoints(const list_query& query);
  // filter: the endpoint; newest event first.
  list_page<webhook_delivery_record> list_webhook_deliveries(const list_query& query);
  event_page list_events(const event_query& query);

  // The orders holding money now: their actors must run, so their expiry timers do.
  std::vector<order_id> authorized_order_ids();

  audit_report audit();

  // The largest ordinal stored, so a restarted writer keeps issuing larger ones.
  std::int64_t largest_ordinal();
  // The newest event's seq, 0 when there is none: where a node's log reader starts.
  std::int64_t largest_event_seq();

  // Opens a fresh connection after a failure. Throws storage_error if it cannot.
  void reconnect();

private:
  list_page<transfer_record> list_account_transfers(const list_query& query);
  template <class Record, class Reader>
  list_page<Record> list(const std::string& table, const std::string& columns,
                         list_scope scope, bound_values& bound, const list_query& query,
                         Reader read);
  // Rows of `sql` with its $N bound to `values`; throws storage_error when not connected.
  text_rows rows_of(const std::string& sql, const std::vector<sql_value>& values = {});
  std::optional<std::int64_t> event_watermark();
  // The same for the lookups by key, prepared once per PostgreSQL connection.
  text_rows lookup(const std::string& sql, const std::vector<sql_value>& values);

  void open();

  storage_url url_;
  std::chrono::milliseconds statement_timeout_;
  std::unique_ptr<soci::session> session_;
  prepared_statements prepared_; // on session_'s connection
};

} // namespace settle::persistence
