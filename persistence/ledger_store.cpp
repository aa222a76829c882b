// Group commit. Rows of the same table from every write set of the group go into one
// multi-row statement (chunked, see row_batch), and the statements travel together (see
// commit_script). Balances are changed once per account with the group's net amount.
// When the store knows the accounts' balances (see known_accounts) each entry's
// balance_after follows from them and the whole group is one round trip on PostgreSQL;
// otherwise the update's `RETURNING` gives the new balances first: two round trips.
#include "persistence/ledger_store.hpp"

#include "domain/assert.hpp"
#include "domain/clock.hpp"
#include "domain/ids.hpp"
#include "domain/money.hpp"
#include "persistence/advisory_lock.hpp"
#include "persistence/commit_script.hpp"
#include "persistence/event_columns.hpp"
#include "persistence/connection.hpp"
#include "persistence/database_lock.hpp"
#include "persistence/record_reading.hpp"
#include "persistence/row_batch.hpp"
#include "persistence/webhook_writes.hpp"
#include "persistence/row_reading.hpp"
#include "persistence/text_query.hpp"

#include <soci/soci.h>

#include <algorithm>
#include <chrono>
#include <limits>
#include <map>
#include <set>
#include <thread>
#include <unordered_map>

namespace settle::persistence {
namespace {

// Runs `sql` (in which "{rows}" stands for the rows) as many times as the batch needs.
void run_rows(commit_script& script, const std::string& sql, const row_batch& rows) {
  rows.for_each_statement([&](std::size_t start, std::size_t end) {
    script.run(rows.statement(sql, start, end));
  });
}

// Runs `prefix` followed by the rows, as many statements as the batch needs.
void insert_rows(commit_script& script, const std::string& prefix, const row_batch& rows) {
  run_rows(script, prefix + " {rows}", rows);
}

struct net_change {
  std::int64_t amount = 0;
  std::int64_t held = 0;
  std::int64_t entries = 0;
  std::int64_t running_balance = 0; // before the group, then after each entry
  std::int64_t entry_position = 0;  // the account's last before the group, then each entry's
  std::int64_t account_ordinal = 0; // the key of the account's side in the position indexes
};

// Adds to the account's net change of balance or held; overflow is a refusal, not a wrap.
void add_change(std::map<account_id, net_change>& changes, const account_id& account,
                std::int64_t amount, std::int64_t net_change::*field = &net_change::amount) {
  auto& change = changes[account];
  auto sum = checked_add(change.*field, amount);
  if (!sum) {
    throw storage_error{"balance change overflows for " + account.value};
  }
  change.*field = *sum;
}

void add_order_row(row_batch& rows, const order_record& order) {
  rows.text(order.id)
    .text(order.tenant)
    .text(order.payer_account)
    .text(order.payee_account)
    .integer(order.amount)
    .text(order.currency)
    .text(to_string(order.capture))
    .text(to_string(order.status))
    .integer(order.amount_authorized)
    .integer(order.amount_captured)
    .integer(order.amount_refunded)
    .text(order.description)
    .nullable_text(order.failure_code)
    .integer(order.expires_at)
    .integer(order.authorization_ttl_seconds)
    .integer(order.created_at)
    .integer(order.updated_at)
    .integer(order.ordinal)
    .text(order.payee_tenant)
    .end_row();
}

// Where a transfer left one of its accounts: the account's position (its entry's
// ordinal) and balance after it, and the account's ordinal (migration 17).
struct ledger_side {
  std::int64_t position = 0;
  std::int64_t balance_after = 0;
  std::int64_t account_ordinal = 0;
};

// The transfer's row is the ledger: its two entries are read from it (migration 16).
void add_transfer_row(row_batch& rows, const transfer_record& transfer, const ledger_side& from,
                      const ledger_side& to) {
  rows.text(transfer.id)
    .text(transfer.from_account)
    .text(transfer.to_account)
    .text(transfer.from_tenant)
    .text(transfer.to_tenant)
    .text(to_string(transfer.kind))
    .nullable_text(transfer.order_id)
    .integer(transfer.amount)
    .text(transfer.currency)
    .text(transfer.description)
    .integer(transfer.created_at)
    .integer(transfer.settled_at)
    .integer(transfer.ordinal)
    .integer(from.position)
    .integer(to.position)
    .integer(from.balance_after)
    .integer(to.balance_after)
    .integer(from.account_ordinal)
    .integer(to.account_ordinal)
    .end_row();
}

// Applies the net changes, records each account's balance and entry position before the
// group, and returns every changed account as it is after the group.
std::vector<account_record> apply_balance_changes(commit_script& script, dialect kind,
                                                  std::map<account_id, net_change>& changes) {
  std::vector<account_record> changed;
  row_batch deltas{kind};
  for (const auto& [account, change] : changes) {
    deltas.text(account)
      .integer(change.amount)
      .integer(change.held)
      .integer(change.entries)
      .end_row();
  }
  // One relation joined once (a UNION of one-row SELECTs was planned branch by branch).
  std::string sql = "WITH d (delta_account, delta_amount, delta_held, delta_entries) AS ({rows})"
                    " UPDATE accounts SET balance = balance + d.delta_amount,"
                    " held = held + d.delta_held,"
                    " entry_position = entry_position + d.delta_entries"
                    " FROM d WHERE accounts.id = d.delta_account RETURNING ";
  sql += account_columns;
  sql += ", entry_position";
  deltas.for_each_statement([&](std::size_t start, std::size_t end) {
    auto rows = script.query(deltas.statement(sql, start, end));
    for (std::size_t index = 0; index < rows.size(); ++index) {
      auto account = read_account(rows[index]);
      auto& change = changes.at(account.id);
      change.running_balance = account.balance - change.amount;
      change.entry_position = read_int64(rows[index], rows.columns() - 1) - change.entries;
      change.account_ordinal = account.ordinal;
      changed.push_back(std::move(account));
    }
    if (rows.size() != end - start) {
      throw storage_error{"a transfer names an account that does not exist"};
    }
  });
  return changed;
}

// As apply_balance_changes, from the accounts' states as this writer's commits left them
// instead of from the update's answer, so nothing has to come back before the group's
// rows are sent. The update names the state it expects of each row, and
// settle_expect_rows (migration 18) refuses the transaction unless every row was in it.
// Sends nothing and returns nullopt when the writer does not know every account.
std::optional<std::vector<account_record>>
forecast_balance_changes(commit_script& script, dialect kind,
                         std::map<account_id, net_change>& changes, const known_accounts& known) {
  std::vector<const known_accounts::state*> states;
  states.reserve(changes.size());
  for (const auto& change : changes) {
    states.push_back(known.find(change.first));
    if (states.back() == nullptr) {
      return std::nullopt;
    }
  }
  std::vector<account_record> changed;
  row_batch deltas{kind};
  auto state = states.begin();
  for (auto& [account, change] : changes) {
    const auto& before = **state++;
    deltas.text(account)
      .integer(change.amount)
      .integer(change.held)
      .integer(change.entries)
      .integer(before.account.balance)
      .integer(before.account.held)
      .integer(before.entry_position)
      .end_row();
    auto balance = checked_add(before.account.balance, change.amount);
    auto held = checked_add(before.account.held, change.held);
    if (!balance || !held) {
      throw storage_error{"balance change overflows for " + account.value};
    }
    change.running_balance = before.account.balance;
    change.entry_position = before.entry_position;
    change.account_ordinal = before.account.ordinal;
    changed.push_back(before.account);
    changed.back().balance = *balance;
    changed.back().held = *held;
  }
  const std::string sql =
    "WITH d (delta_account, delta_amount, delta_held, delta_entries, expected_balance,"
    " expected_held, expected_position) AS ({rows}),"
    " changed AS (UPDATE accounts SET balance = balance + d.delta_amount,"
    " held = held + d.delta_held, entry_position = entry_position + d.delta_entries"
    " FROM d WHERE accounts.id = d.delta_account AND accounts.balance = d.expected_balance"
    " AND accounts.held = d.expected_held AND accounts.entry_position = d.expected_position"
    " RETURNING accounts.id)"
    " SELECT settle_expect_rows((SELECT COUNT(*) FROM d), (SELECT COUNT(*) FROM changed))";
  run_rows(script, sql, deltas);
  return changed;
}

// The event's columns after any the caller put first; the caller ends the row.
void add_event_row(row_batch& rows, const event_record& event) {
  auto tenants = tenant_columns_of(event.tenants);
  rows.text(event.name)
    .text(padded_list(event.tenants))
    .text(padded_list(event.topics))
    .text(event.object)
    .integer(event.at)
    .text(tenants.tenant)
    .nullable_text(tenants.other_tenant);
}

// Inside a catch block: storage errors go on as they are, anything else (SOCI's, the
// standard library's) as a storage_error.
[[noreturn]] void rethrow_as_storage_error(const std::exception& error) {
  if (dynamic_cast<const storage_error*>(&error) != nullptr) {
    throw;
  }
  throw storage_error{error.what()};
}

} // namespace

// settle_expect_rows's refusal (migration 18): an account was not as known_accounts said.
constexpr std::string_view accounts_moved = "SE001";

// How many accounts a writer remembers (a few hundred bytes each): the accounts being
// paid at any moment, not every account of a large ledger.
constexpr std::size_t known_accounts_capacity = 100'000;

ledger_store::ledger_store(const storage_url& url, std::shared_ptr<const account_renderer> renderer,
                           bool clustered, std::int32_t lane, std::int32_t lanes)
  : url_(url), renderer_(std::move(renderer)), clustered_(clustered), lane_(lane),
    writer_id_(generate_id("wrt_")) {
  // In a cluster other nodes change accounts too, and with two lanes the other lane's
  // group may commit in between; SQLite runs in-process, with no round trip to save.
  if (url_.kind == dialect::postgresql && !clustered_ && lanes == 1) {
    known_.emplace(known_accounts_capacity);
  }
  open();
  register_writer();
}

void ledger_store::register_writer() {
  query_bound(*session_, url_.kind,
              "INSERT INTO writer_commits (writer, last_group, started_at) VALUES ($1, 0, $2)",
              {writer_id_, now_milliseconds()});
}

// Every connection that writes holds its lane's writers' lock: exclusive on a single
// node, shared by the nodes of a cluster. The owner's lock (database_lock) ends with its
// own connection, and a restart of the database ends every connection, so another
// settled could start on the database meanwhile; this lock, taken again by each new
// connection before it writes anything, makes sure that only one of the two ever writes
// again. The connection this one replaces may still hold it (a link cut that the server
// has not noticed yet): it is ended first, as for an ambiguous COMMIT.
void ledger_store::hold_writers_lock(soci::session& connection) {
  if (url_.kind != dialect::postgresql) {
    return; // SQLite: the owner's flock on the file is held for the process's life
  }
  const advisory_lock_key key{advisory_lock_keys::writers, lane_};
  const auto mode = clustered_ ? ownership::shared : ownership::exclusive;
  if (take_advisory_lock(connection, key, mode, std::chrono::milliseconds{0})) {
    return;
  }
  end_backend(connection, backend_);
  // A settled that has just stopped or died may still hold it for a moment.
  if (!take_advisory_lock(connection, key, mode, std::chrono::seconds{5})) {
    throw database_in_use{"another settled writes to this database now (it was taken while"
                          " this node's connection was gone): one database has one owner"};
  }
}

// Lets go of the writers' lock before the connection closes, unless a group is in flight
// on it.
void ledger_store::release_writers_lock() noexcept {
  if (url_.kind == dialect::postgresql && session_ && !script_) {
    release_advisory_locks(*session_);
  }
}

// Which server process holds this connection, and since when (a process id alone may be
// reused by another connection after a restart of the database).
void ledger_store::remember_backend() {
  if (url_.kind != dialect::postgresql) {
    return;
  }
  auto rows = query_bound(*session_, url_.kind,
                          "SELECT pid::text, backend_start::text FROM pg_stat_activity"
                          " WHERE pid = pg_backend_pid()");
  if (rows.size() == 1) {
    backend_ = backend_identity{rows[0].text(0), rows[0].text(1)};
  }
}

// The connection that sent COMMIT may still be alive on the server (a cut link that the
// server has not noticed, a paused server): until it has ended, its transaction may
// still commit, so the outcome cannot be read yet (nor its writers' lock taken over).
void ledger_store::end_backend(soci::session& connection, const backend_identity& backend) {
  if (url_.kind != dialect::postgresql || backend.pid.empty()) {
    return;
  }
  const std::vector<sql_value> identity{backend.pid, backend.start};
  const std::string matching = " FROM pg_stat_activity"
                               " WHERE pid = CAST($1 AS INTEGER) AND backend_start::text = $2";
  query_bound(connection, url_.kind, "SELECT pg_terminate_backend(pid)" + matching, identity);
  for (int attempt = 0; attempt < 100; ++attempt) {
    auto rows = query_bound(connection, url_.kind, "SELECT count(*)" + matching, identity);
    if (rows.size() == 1 && read_int64(rows[0], 0) == 0) {
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds{100});
  }
  throw storage_error{"the previous connection to the database has not ended yet"};
}

std::optional<std::vector<event_record>>
ledger_store::outcome_of_last_group(std::int64_t largest_seq_before) {
  SETTLE_ASSERT(in_doubt_.has_value());
  reconnect();
  end_backend(*session_, *in_doubt_);
  auto rows = query_bound(*session_, url_.kind,
                          "SELECT last_group FROM writer_commits WHERE writer = $1", {writer_id_});
  if (rows.size() != 1) {
    throw storage_error{"this writer's row of writer_commits is gone"};
  }
  if (read_int64(rows[0], 0) < group_number_) {
    in_doubt_.reset();
    return std::nullopt;
  }
  if (!clustered_) {
    number_events_after(largest_seq_before);
  }
  in_doubt_.reset();
  return std::move(committed_events_);
}

// On a single node this writer alone numbers events, and a group's events are numbered
// only once the one before it has committed: the group's events are the first ones
// after the largest number committed before it, in the order they were inserted.
void ledger_store::number_events_after(std::int64_t last_seq) {
  auto rows = query_bound(*session_, url_.kind,
                          "SELECT seq FROM events WHERE seq > $1 ORDER BY seq LIMIT $2",
                          {last_seq, static_cast<std::int64_t>(committed_events_.size())});
  if (rows.size() != committed_events_.size()) {
    throw storage_error{"the committed group's events are not all in the log"};
  }
  for (std::size_t index = 0; index < rows.size(); ++index) {
    committed_events_[index].seq = read_int64(rows[index], 0);
  }
}

void ledger_store::open() {
  prepared_.clear();
  session_.reset();
  auto connection = open_session(url_);
  hold_writers_lock(*connection);
  session_ = std::move(connection);
  if (url_.kind == dialect::postgresql) {
    // Each prepared statement is planned once. By default PostgreSQL plans every
    // execution afresh for as long as a custom plan looks cheaper than the generic one,
    // and for these statements over arrays the plan is the same either way (a primary
    // key probe per row, or inserts).
    *session_ << "SET plan_cache_mode = force_generic_plan";
    // The writer only joins a group's few rows to big keyed tables (the netted balance
    // update). Left to itself the planner hashes the whole accounts table for every
    // commit (a sequential scan); probing the primary key per row is what such a join
    // should do at any table size.
    *session_ << "SET enable_hashjoin = off";
    *session_ << "SET enable_mergejoin = off";
    // The rows' arrays write NULL as an unquoted NULL element (see row_batch).
    *session_ << "SET array_nulls = on";
  }
  if (clustered_) {
    // A node paused in the middle of a transaction must not hold rows (or a shard's
    // lease) locked for ever: the database ends such a transaction after 2 s.
    *session_ << "SET idle_in_transaction_session_timeout = 2000";
  }
  remember_backend();
}

ledger_store::~ledger_store() { release_writers_lock(); }

void ledger_store::begin(const group_type& group, const ordinal_assigner& assign_ordinals) {
  SETTLE_ASSERT(!group.empty());
  SETTLE_ASSERT(!script_);
  if (!session_) {
    open();
  }
  learned_.clear();
  balance_source_.reset();
  if (known_) {
    group_ = group;
  }
  try {
    script_ = std::make_unique<commit_script>(*session_, url_.kind, prepared_);
    auto& script = *script_;
    lock_accounts(script, group);
    auto largest_ordinal = check_fences(script, group);
    if (assign_ordinals) {
      assign_ordinals(largest_ordinal);
    }
    insert_leg_claims(script, group);
    insert_users(script, group);
    update_users(script, group);
    insert_accounts(script, group);
    close_accounts(script, group);
    insert_orders(script, group);
    update_orders(script, group);
    account_events_.clear();
    insert_transfers(script, group);
    insert_idempotency_records(script, group);
    write_webhook_rows(script, url_.kind, group);
    script.run(sql_statement{"UPDATE writer_commits SET last_group = $1 WHERE writer = $2",
                             {++group_number_, writer_id_}});
    committed_events_.clear();
    for (const auto* set : group) {
      committed_events_.insert(committed_events_.end(), set->events.begin(), set->events.end());
    }
    committed_events_.insert(committed_events_.end(), account_events_.begin(),
                             account_events_.end());
  } catch (const std::exception& error) {
    script_.reset();
    forget_known();
    rethrow_as_storage_error(error);
  }
}

void ledger_store::send_commit() {
  SETTLE_ASSERT(script_);
  try {
    send_events_and_commit(*script_);
  } catch (const std::exception& error) {
    script_.reset();
    forget_known();
    rethrow_as_storage_error(error);
  }
}

std::vector<event_record> ledger_store::await_commit() {
  SETTLE_ASSERT(script_);
  auto script = std::move(script_);
  try {
    auto numbers = script->await_commit();
    if (!committed_events_.empty()) {
      // After COMMIT the group is durable: only the numbers are unknown, and a restart
      // reads them back. Answering "nothing applied" then would be a lie.
      if (!assign_seqs(numbers, last_share_)) {
        throw ambiguous_commit{"the database numbered another count of events than was written"};
      }
    }
    remember_learned();
    if (balance_source_) {
      metrics_registry::instance().count_commit_balances(*balance_source_);
    }
    return std::move(committed_events_);
  } catch (const ambiguous_commit&) {
    forget_known();
    in_doubt_ = backend_;
    throw;
  } catch (const storage_error& error) {
    forget_known();
    if (balance_source_ == commit_balances::known && error.sqlstate() == accounts_moved) {
      metrics_registry::instance().count_commit_balances(commit_balances::moved);
      // Rolled back; with one lane no other transaction of this node is open, so the
      // group can commit again at once.
      return commit_asking_balances();
    }
    throw;
  } catch (const std::exception& error) {
    forget_known();
    rethrow_as_storage_error(error);
  }
}

// The group begun, committed again with the balances read from the database's answer
// (known_ is empty now), its rows numbered already.
std::vector<event_record> ledger_store::commit_asking_balances() {
  auto group = std::move(group_);
  begin(group, {});
  send_commit();
  return await_commit();
}

void ledger_store::remember_learned() {
  if (known_) {
    for (auto& state : learned_) {
      known_->remember(std::move(state));
    }
  }
  learned_.clear();
  group_.clear();
}

// After any failure: a group whose outcome is unknown may have changed the accounts.
void ledger_store::forget_known() noexcept {
  if (known_) {
    known_->clear();
  }
  learned_.clear();
}

void ledger_store::roll_back() noexcept {
  script_.reset();
  learned_.clear();
  group_.clear();
}

void ledger_store::reconnect() {
  script_.reset();
  forget_known();
  session_.reset();
  open();
}

void ledger_store::insert_users(commit_script& script, const group_type& group) {
  row_batch rows{url_.kind};
  for (const auto* set : group) {
    for (const auto& user : set->users_inserted) {
      rows.text(user.id)
        .text(user.tenant)
        .text(user.name)
        .text(user.email)
        .integer(0)
        .integer(user.created_at)
        .integer(user.ordinal)
        .end_row();
    }
  }
  insert_rows(script, "INSERT INTO users (id, tenant, name, email, deleted, created_at, ordinal)",
              rows);
}

void ledger_store::update_users(commit_script& script, const group_type& group) {
  for (const auto* set : group) {
    for (const auto& user : set->users_updated) {
      script.run({"UPDATE users SET name = $2, email = $3, deleted = $4 WHERE id = $1",
                  {user.id.value, user.name, user.email, std::int64_t{user.deleted ? 1 : 0}}});
    }
  }
}

void ledger_store::insert_accounts(commit_script& script, const group_type& group) {
  row_batch rows{url_.kind};
  for (const auto* set : group) {
    for (const auto& account : set->accounts_inserted) {
      rows.text(account.id)
        .text(account.tenant)
        .text(account.user_id)
        .text(account.currency)
        .integer(account.balance)
        .integer(account.held)
        .integer(account.overdraft_limit)
        .text(to_string(account.status))
        .integer(account.created_at)
        .integer(account.ordinal)
        .end_row();
      if (known_) {
        learned_.push_back({account, 0});
      }
    }
  }
  insert_rows(script,
              "INSERT INTO accounts (id, tenant, user_id, currency, balance, held,"
              " overdraft_limit, status, created_at, ordinal)",
              rows);
}

void ledger_store::close_accounts(commit_script& script, const group_type& group) {
  for (const auto* set : group) {
    for (const auto& closure : set->accounts_closed) {
      script.run(
        {"UPDATE accounts SET status = 'closed' WHERE id = $1", {closure.account_id.value}});
      // Its status changes: the group asks for its row (and learns it closed).
      if (known_) {
        known_->forget(closure.account_id);
        learned_.erase(std::remove_if(learned_.begin(), learned_.end(),
                                      [&](const known_accounts::state& state) {
                                        return state.account.id == closure.account_id;
                                      }),
                       learned_.end());
      }
    }
  }
}

void ledger_store::insert_transfers(commit_script& script, const group_type& group) {
  std::map<account_id, net_change> changes;
  std::vector<const transfer_record*> transfers;
  for (const auto* set : group) {
    for (const auto& transfer : set->transfers) {
      SETTLE_ASSERT(is_valid_amount(transfer.amount));
      add_change(changes, transfer.from_account, -transfer.amount);
      add_change(changes, transfer.to_account, transfer.amount);
      ++changes[transfer.from_account].entries;
      ++changes[transfer.to_account].entries;
      transfers.push_back(&transfer);
    }
    for (const auto& change : set->held_changes) {
      add_change(changes, change.account_id, change.amount, &net_change::held);
    }
  }
  if (changes.empty()) {
    return;
  }
  auto forecast = known_ ? forecast_balance_changes(script, url_.kind, changes, *known_)
                        : std::nullopt;
  balance_source_ = forecast ? commit_balances::known : commit_balances::asked;
  auto changed =
    forecast ? std::move(*forecast) : apply_balance_changes(script, url_.kind, changes);
  if (renderer_) {
    auto at = now_milliseconds();
    for (const auto& account : changed) {
      account_events_.push_back(event_record{0, "account.updated", {account.tenant.value},
                                             {account.id.value}, renderer_->account(account),
                                             at});
    }
  }
  row_batch transfer_rows{url_.kind};
  for (const auto* transfer : transfers) {
    auto& from = changes.at(transfer->from_account);
    auto& to = changes.at(transfer->to_account);
    from.running_balance -= transfer->amount;
    to.running_balance += transfer->amount;
    // An entry's ordinal is its account's position, advanced under the account row's
    // lock: entries list in the order the balance changed, whichever node committed.
    add_transfer_row(transfer_rows, *transfer,
                     {++from.entry_position, from.running_balance, from.account_ordinal},
                     {++to.entry_position, to.running_balance, to.account_ordinal});
  }
  if (known_) {
    for (auto& account : changed) {
      auto position = changes.at(account.id).entry_position;
      learned_.push_back({std::move(account), position});
    }
  }
  insert_rows(script,
              "INSERT INTO transfers (id, from_account, to_account, from_tenant, to_tenant, kind,"
              " order_id, amount, currency, description, created_at, settled_at, ordinal,"
              " from_position, to_position, from_balance_after, to_balance_after,"
              " from_account_ordinal, to_account_ordinal)",
              transfer_rows);
}

void ledger_store::insert_orders(commit_script& script, const group_type& group) {
  row_batch rows{url_.kind};
  for (const auto* set : group) {
    for (const auto& order : set->orders_inserted) {
      add_order_row(rows, order);
    }
  }
  insert_rows(script, std::string{"INSERT INTO orders ("} + order_columns + ")", rows);
}

// One statement for the group's order changes; an order changed by two write sets of the
// group keeps the later change (an UPDATE joined to two rows of one order would apply
// either).
void ledger_store::update_orders(commit_script& script, const group_type& group) {
  std::map<order_id, const order_record*> latest;
  for (const auto* set : group) {
    for (const auto& order : set->orders_updated) {
      latest[order.id] = &order;
    }
  }
  if (latest.empty()) {
    return;
  }
  row_batch rows{url_.kind};
  for (const auto& [id, order] : latest) {
    rows.text(id)
      .text(to_string(order->status))
      .integer(order->amount_authorized)
      .integer(order->amount_captured)
      .integer(order->amount_refunded)
      .text(order->description)
      .nullable_text(order->failure_code)
      .integer(order->expires_at)
      .integer(order->updated_at)
      .end_row();
  }
  const std::string sql =
    "WITH o (o_id, o_status, o_authorized, o_captured, o_refunded, o_description,"
    " o_failure_code, o_expires_at, o_updated_at) AS ({rows})"
    " UPDATE orders SET status = o.o_status, amount_authorized = o.o_authorized,"
    " amount_captured = o.o_captured, amount_refunded = o.o_refunded,"
    " description = o.o_description, failure_code = o.o_failure_code,"
    " expires_at = o.o_expires_at, updated_at = o.o_updated_at"
    " FROM o WHERE orders.id = o.o_id";
  run_rows(script, sql, rows);
}

// The group's events, the last statement before COMMIT and sent with it, numbered by the
// database. On PostgreSQL a share of events takes a block of seqs with a mark that
// readers respect until this transaction ends (settle_number_events, migration 14), once
// the group holds every row it writes, so the events of two groups that change the same
// account follow the order in which they held its row, and no reader passes an event
// still uncommitted; each event's place in the block is its row's position, and the
// statement answers with one row (the block's first seq, and the count), whatever the
// size of the group: a commit in flight never waits for the writer to read its answer.
// SQLite numbers the rows as they are inserted and returns each one's number.
void ledger_store::send_events_and_commit(commit_script& script) {
  if (committed_events_.empty()) {
    script.send_commit();
    return;
  }
  row_batch rows{url_.kind};
  bool block = url_.kind == dialect::postgresql;
  for (std::size_t index = 0; index < committed_events_.size(); ++index) {
    if (block) {
      rows.integer(static_cast<std::int64_t>(index));
    }
    add_event_row(rows, committed_events_[index]);
    rows.end_row();
  }
  const std::string sql =
    block ? "WITH r (event_position, event_name, event_tenants, event_topics, event_object,"
            " event_at, event_tenant, event_other_tenant) AS ({rows}),"
            " numbered AS MATERIALIZED (SELECT settle_number_events((SELECT COUNT(*) FROM r)) - ("
            "SELECT MIN(event_position) FROM r) AS base_seq),"
            " inserted AS (INSERT INTO events (seq, name, tenants, topics, object, at, tenant,"
            " other_tenant) SELECT numbered.base_seq + r.event_position, r.event_name,"
            " r.event_tenants, r.event_topics, r.event_object, r.event_at, r.event_tenant,"
            " r.event_other_tenant FROM numbered, r RETURNING seq)"
            " SELECT MIN(seq), COUNT(*) FROM inserted"
          : "INSERT INTO events (name, tenants, topics, object, at, tenant, other_tenant) {rows}"
            " RETURNING seq";
  rows.for_each_statement([&](std::size_t start, std::size_t end) {
    auto statement = rows.statement(sql, start, end);
    last_share_ = event_share{start, end};
    if (end == rows.size()) {
      script.send_commit(std::move(statement));
    } else if (!assign_seqs(script.query(std::move(statement)), last_share_)) {
      throw storage_error{"the database numbered another count of events than was written"};
    }
  });
}

// Numbers the share's events from the database's answer: one row (PostgreSQL: the first
// seq of the share's block and the count) or a seq per event (SQLite, in row order).
// False if the answer does not fit the share.
bool ledger_store::assign_seqs(const text_rows& numbers, event_share share) {
  auto count = share.end - share.start;
  if (url_.kind == dialect::postgresql) {
    if (numbers.size() != 1 || read_int64(numbers[0], 1) != static_cast<std::int64_t>(count)) {
      return false;
    }
    auto first = read_int64(numbers[0], 0);
    for (std::size_t index = 0; index < count; ++index) {
      committed_events_[share.start + index].seq = first + static_cast<std::int64_t>(index);
    }
    return true;
  }
  if (numbers.size() != count) {
    return false;
  }
  for (std::size_t index = 0; index < count; ++index) {
    committed_events_[share.start + index].seq = read_int64(numbers[index], 0);
  }
  return true;
}

void ledger_store::insert_idempotency_records(commit_script& script, const group_type& group) {
  row_batch rows{url_.kind};
  for (const auto* set : group) {
    for (const auto& record : set->idempotency_records) {
      rows.text(record.tenant)
        .text(record.key)
        .text(record.fingerprint)
        .integer(record.status)
        .text(record.body)
        .integer(record.created_at)
        .end_row();
    }
  }
  insert_rows(script,
              "INSERT INTO idempotency_keys (tenant, idempotency_key, fingerprint, status, body,"
              " created_at)",
              rows);
}

// In a cluster, first of all, the rows of every account the group changes, in id order:
// groups of several nodes that change the same accounts then wait for one another
// instead of deadlocking, and a group holds its lease rows (check_fences, next) only
// once it waits for no other group, so a node renewing its leases waits for commits,
// never for a chain of them.
void ledger_store::lock_accounts(commit_script& script, const group_type& group) {
  if (!clustered_) {
    return;
  }
  std::set<account_id> accounts;
  for (const auto* set : group) {
    for (const auto& transfer : set->transfers) {
      accounts.insert(transfer.from_account);
      accounts.insert(transfer.to_account);
    }
    for (const auto& change : set->held_changes) {
      accounts.insert(change.account_id);
    }
    for (const auto& closure : set->accounts_closed) {
      accounts.insert(closure.account_id);
    }
  }
  if (accounts.empty()) {
    return;
  }
  row_batch rows{url_.kind};
  for (const auto& account : accounts) {
    rows.text(account).end_row();
  }
  rows.for_each_statement([&](std::size_t start, std::size_t end) {
    script.run(rows.statement("WITH l (lock_id) AS ({rows}) SELECT id FROM accounts"
                              " WHERE id IN (SELECT lock_id FROM l) ORDER BY id FOR UPDATE",
                              start, end));
  });
}

// Refuses the group unless every shard it writes for is still leased at the epoch its
// actors were working under. FOR SHARE keeps a takeover (an UPDATE of the lease) waiting
// until this transaction ends, so the check holds until COMMIT. Returns, read in the same
// round trip, the largest ordinal committed: the node issues the group's ordinals above
// it in its own slot (so no two nodes issue the same one), and lists follow the order of
// commits except between groups committing at the same moment on two nodes. Without a
// cluster: 0.
std::int64_t ledger_store::check_fences(commit_script& script, const group_type& group) {
  if (!clustered_) {
    return 0;
  }
  const std::string largest_ordinal = "(SELECT MAX(ordinal) FROM transfers)";
  std::map<std::uint32_t, std::int64_t> expected;
  for (const auto* set : group) {
    for (const auto& fence : set->fences) {
      auto [slot, inserted] = expected.emplace(fence.shard, fence.epoch);
      if (!inserted && slot->second != fence.epoch) {
        throw storage_error{"shard " + std::to_string(fence.shard) + " fenced at two epochs"};
      }
    }
  }
  if (expected.empty()) {
    auto rows = script.query({"SELECT " + largest_ordinal});
    return rows.size() == 1 ? read_int64(rows[0], 0) : 0;
  }
  std::vector<std::int64_t> shards;
  for (const auto& entry : expected) {
    shards.push_back(entry.first);
  }
  auto rows = script.query({"SELECT shard, epoch, " + largest_ordinal
                              + " FROM shard_leases WHERE shard = ANY(CAST($1 AS BIGINT[]))"
                                " ORDER BY shard FOR SHARE",
                            {postgresql_integer_array(shards)}});
  for (std::size_t index = 0; index < rows.size(); ++index) {
    auto shard = static_cast<std::uint32_t>(read_int64(rows[index], 0));
    auto epoch = read_int64(rows[index], 1);
    if (expected.at(shard) != epoch) {
      throw storage_error{"shard " + std::to_string(shard) + " has moved (epoch "
                          + std::to_string(epoch) + ")"};
    }
  }
  if (rows.size() != expected.size()) {
    throw storage_error{"a fenced shard has no lease"};
  }
  return read_int64(rows[0], 2);
}

void ledger_store::insert_leg_claims(commit_script& script, const group_type& group) {
  row_batch rows{url_.kind};
  for (const auto* set : group) {
    for (const auto& claim : set->leg_claims) {
      rows.text(claim.leg_id).text(claim.account_id).end_row();
    }
  }
  insert_rows(script, "INSERT INTO leg_claims (leg_id, account_id)", rows);
}

bool ledger_store::abandon_leg(const leg_claim& claim) {
  if (!session_) {
    open();
  }
  try {
    auto inserted = query_bound(*session_, url_.kind,
                                "INSERT INTO leg_claims (leg_id, account_id) VALUES ($1, $2)"
                                " ON CONFLICT DO NOTHING RETURNING leg_id",
                                {claim.leg_id, claim.account_id.value});
    return inserted.size() == 1;
  } catch (const storage_error&) {
    throw;
  } catch (const std::exception& error) {
    throw storage_error{error.what()};
  }
}

} // namespace settle::persistence
