// The writer binds every value: users, accounts, transfers, orders, stored answers and
// events whose texts carry quotes, backslashes, "$1 $$", SQL that would run if spliced,
// the array syntax's own characters and non-ASCII are written by group commits (inserts,
// updates, a closure) and read back exactly, on SQLite and on a PostgreSQL database whose
// sessions have standard_conforming_strings and array_nulls off.
#include "persistence/ledger_store.hpp"

#include "domain/currency.hpp"
#include "persistence/connection.hpp"
#include "persistence/migrations.hpp"
#include "persistence/store_reader.hpp"
#include "tests/unit/support/hostile_values.hpp"
#include "tests/unit/support/test_database.hpp"

#include <catch2/catch.hpp>
#include <soci/soci.h>

#include <string>
#include <vector>

namespace {

using settle::persistence::write_set;
using settle::testing::hostile_values;
using settle::testing::test_database;

std::string numbered(const std::string& prefix, std::size_t index) {
  return prefix + std::to_string(index);
}

// Everything one tenant named `text` creates, with `text` in every text field.
void add_creations(write_set& set, const std::string& text, std::size_t index) {
  auto ordinal = static_cast<std::int64_t>(index * 10 + 1);
  settle::user_record user{numbered("usr_", index), text, text, text, false, 1, ordinal};
  set.users_inserted.push_back(user);
  settle::account_record account;
  account.id = settle::account_id{numbered("acc_", index)};
  account.tenant = settle::tenant_name{text};
  account.user_id = user.id;
  account.currency = "USD";
  account.ordinal = ordinal + 1;
  set.accounts_inserted.push_back(account);
  settle::transfer_record deposit;
  deposit.id = settle::transfer_id{numbered("trf_", index)};
  deposit.kind = settle::transfer_kind::deposit;
  deposit.from_account = settle::world_account_id("USD");
  deposit.to_account = account.id;
  deposit.from_tenant = settle::system_tenant;
  deposit.to_tenant = settle::tenant_name{text};
  deposit.amount = static_cast<std::int64_t>(index + 1);
  deposit.currency = "USD";
  deposit.description = text;
  deposit.ordinal = ordinal + 2;
  set.transfers.push_back(deposit);
  settle::order_record order;
  order.id = settle::order_id{numbered("ord_", index)};
  order.tenant = settle::tenant_name{text};
  order.payer_account = account.id;
  order.payee_account = account.id;
  order.payee_tenant = settle::tenant_name{text};
  order.amount = 1;
  order.currency = "USD";
  order.description = text;
  order.ordinal = ordinal + 3;
  set.orders_inserted.push_back(order);
  set.idempotency_records.push_back({text, text, text, 201, text, 1});
  set.events.push_back({0, "user.created", {text}, {user.id.value}, text, 1});
}

// The second commit rewrites what can change (every other user is deleted).
void add_changes(write_set& set, const std::string& text, std::size_t index) {
  bool deleted = index % 2 == 1;
  settle::user_record user{numbered("usr_", index), text, text + "!", text + "?", deleted, 1, 0};
  set.users_updated.push_back(user);
  settle::order_record order;
  order.id = settle::order_id{numbered("ord_", index)};
  order.status = settle::order_status::failed;
  order.description = text + "!";
  order.failure_code = text;
  set.orders_updated.push_back(order);
  set.accounts_closed.push_back({numbered("acc_", index)});
}

void commit(settle::persistence::ledger_store& store, const write_set& set) {
  store.commit({&set});
}

void writes_hostile_values_exactly(const test_database& database) {
  auto url = database.url();
  {
    auto session = settle::persistence::open_session(url);
    settle::persistence::migrate(*session, url.kind, {"USD"});
    if (url.kind == settle::persistence::dialect::postgresql) {
      std::string name;
      *session << "SELECT current_database()", soci::into(name);
      *session << "ALTER DATABASE \"" + name + "\" SET standard_conforming_strings = off";
      *session << "ALTER DATABASE \"" + name + "\" SET array_nulls = off";
    }
  }
  settle::persistence::ledger_store store{url}; // new sessions: the settings above
  write_set creations;
  write_set changes;
  for (std::size_t index = 0; index < hostile_values.size(); ++index) {
    add_creations(creations, hostile_values[index], index);
    add_changes(changes, hostile_values[index], index);
  }
  commit(store, creations);
  commit(store, changes);
  settle::persistence::store_reader reader{url};
  for (std::size_t index = 0; index < hostile_values.size(); ++index) {
    const auto& text = hostile_values[index];
    INFO(text);
    auto user = reader.find_user(settle::user_id{numbered("usr_", index)});
    if (index % 2 == 1) {
      CHECK_FALSE(user.has_value()); // deleted
    } else {
      REQUIRE(user.has_value());
      CHECK(user->tenant.value == text);
      CHECK(user->name == text + "!");
      CHECK(user->email == text + "?");
    }
    auto account = reader.find_account(settle::account_id{numbered("acc_", index)});
    REQUIRE(account.has_value());
    CHECK(account->tenant.value == text);
    CHECK(account->balance == static_cast<std::int64_t>(index + 1));
    CHECK(account->status == settle::account_status::closed);
    auto transfer = reader.find_transfer(settle::transfer_id{numbered("trf_", index)});
    REQUIRE(transfer.has_value());
    CHECK(transfer->description == text);
    CHECK(transfer->to_tenant.value == text);
    auto order = reader.find_order(settle::order_id{numbered("ord_", index)});
    REQUIRE(order.has_value());
    CHECK(order->tenant.value == text);
    CHECK(order->payee_tenant.value == text);
    CHECK(order->description == text + "!");
    CHECK(order->failure_code == text);
    CHECK(order->status == settle::order_status::failed);
    auto answer = reader.find_idempotency_record(settle::tenant_name{text}, text);
    REQUIRE(answer.has_value());
    CHECK(answer->fingerprint == text);
    CHECK(answer->body == text);
    settle::persistence::event_query events;
    events.tenant = settle::tenant_name{text};
    auto page = reader.list_events(events);
    REQUIRE(page.events.size() == 1);
    CHECK(page.events[0].object == text);
  }
  auto audit = reader.audit();
  CHECK(audit.mismatched_accounts.empty());
  REQUIRE(audit.currencies.size() == 1);
  CHECK(audit.currencies[0].sum_of_balances == "0");
}

} // namespace

TEST_CASE("the writer stores hostile values exactly on SQLite", "[ledger_store][sql]") {
  settle::testing::run_on_sqlite(writes_hostile_values_exactly);
}

TEST_CASE("the writer stores hostile values exactly on PostgreSQL without standard strings",
          "[ledger_store][sql]") {
  settle::testing::run_on_postgresql(writes_hostile_values_exactly);
}
