// Tests the group-committing ledger store and the store reader on real SQLite and
// PostgreSQL databases: netted balances and holds, entries in commit order, lists, the
// audit, orders, idempotency records, and that a failing group writes nothing. Ordinals, normally
// issued by the ledger writer actor, are set here by hand, increasing.
#include "persistence/ledger_store.hpp"

#include "domain/currency.hpp"
#include "persistence/connection.hpp"
#include "persistence/migrations.hpp"
#include "persistence/store_reader.hpp"
#include "tests/unit/support/advisory_locks.hpp"
#include "tests/unit/support/metric_value.hpp"
#include "tests/unit/support/test_database.hpp"

#include <catch2/catch.hpp>
#include <soci/soci.h>

#include <memory>
#include <set>
#include <string>
#include <vector>

namespace {

using settle::account_record;
using settle::transfer_kind;
using settle::transfer_record;
using settle::persistence::list_query;
using settle::persistence::write_set;
using settle::testing::test_database;

const std::vector<std::string> currencies{"USD", "EUR"};
const std::string world_usd = settle::world_account_id("USD").value;
constexpr std::int64_t created = 1'767'225'600'000; // 2026-01-01T00:00:00Z

settle::user_record make_user(const std::string& id, std::int64_t ordinal) {
  settle::user_record user;
  user.id = settle::user_id{id};
  user.tenant = settle::tenant_name{"acme"};
  user.name = "Ada O'Neill";
  user.email = id + "@example.com";
  user.created_at = created + ordinal;
  user.ordinal = ordinal;
  return user;
}

account_record make_account(const std::string& id, const std::string& currency,
                            std::int64_t ordinal) {
  account_record account;
  account.id = settle::account_id{id};
  account.tenant = settle::tenant_name{"acme"};
  account.user_id = settle::user_id{"usr_ada"};
  account.currency = currency;
  account.overdraft_limit = 25;
  account.created_at = created + ordinal;
  account.ordinal = ordinal;
  return account;
}

transfer_record make_transfer(const std::string& id, const std::string& from,
                              const std::string& to, std::int64_t amount, std::int64_t ordinal) {
  transfer_record transfer;
  transfer.id = settle::transfer_id{id};
  transfer.kind = from == world_usd ? transfer_kind::deposit : transfer_kind::transfer;
  transfer.from_account = settle::account_id{from};
  transfer.to_account = settle::account_id{to};
  transfer.from_tenant = from == world_usd ? settle::system_tenant : settle::tenant_name{"acme"};
  transfer.to_tenant = settle::tenant_name{"acme"};
  transfer.amount = amount;
  transfer.currency = "USD";
  transfer.description = "payment " + id;
  transfer.created_at = created + ordinal;
  transfer.settled_at = created + ordinal + 1;
  transfer.ordinal = ordinal;
  return transfer;
}

// A migrated database with its writer and its reader.
class ledger_fixture {
public:
  explicit ledger_fixture(const test_database& database)
    : url_(database.url()), store_(migrated(url_)), reader_(url_) {}

  void commit(const std::vector<write_set>& sets) {
    std::vector<const write_set*> group;
    for (const auto& set : sets) {
      group.push_back(&set);
    }
    store_.commit(group);
  }

  // User usr_ada with USD accounts acc_a and acc_b and the EUR account acc_e.
  void open_accounts() {
    write_set set;
    set.users_inserted.push_back(make_user("usr_ada", 1));
    set.accounts_inserted.push_back(make_account("acc_a", "USD", 2));
    set.accounts_inserted.push_back(make_account("acc_b", "USD", 3));
    set.accounts_inserted.push_back(make_account("acc_e", "EUR", 4));
    commit({set});
  }

  // One group of three write sets: a deposit of 1000 to acc_a, then transfers
  // a->b 300, b->a 100, a->b 50, touching acc_a and acc_b several times.
  void commit_netted_group() {
    write_set first;
    first.transfers.push_back(make_transfer("trf_1", world_usd, "acc_a", 1000, 10));
    first.transfers.push_back(make_transfer("trf_2", "acc_a", "acc_b", 300, 11));
    write_set second;
    second.transfers.push_back(make_transfer("trf_3", "acc_b", "acc_a", 100, 12));
    write_set third;
    third.transfers.push_back(make_transfer("trf_4", "acc_a", "acc_b", 50, 13));
    commit({first, second, third});
  }

  std::int64_t balance_of(const std::string& account) {
    auto found = reader_.find_account(settle::account_id{account});
    REQUIRE(found.has_value());
    return found->balance;
  }

  settle::persistence::store_reader& reader() { return reader_; }
  const settle::persistence::storage_url& url() const { return url_; }

private:
  static const settle::persistence::storage_url& migrated(
    const settle::persistence::storage_url& url) {
    auto session = settle::persistence::open_session(url);
    settle::persistence::migrate(*session, url.kind, currencies);
    return url;
  }

  settle::persistence::storage_url url_;
  settle::persistence::ledger_store store_;
  settle::persistence::store_reader reader_;
};

list_query query(std::int64_t limit, std::string starting_after = {}, std::string filter = {},
                 std::string tenant = {}) {
  list_query page;
  page.tenant = settle::tenant_name{std::move(tenant)};
  page.starting_after = std::move(starting_after);
  page.limit = limit;
  page.filter = std::move(filter);
  return page;
}

template <class Record>
std::vector<std::string> ids_of(const std::vector<Record>& records) {
  std::vector<std::string> ids;
  for (const auto& record : records) {
    ids.push_back(record.id.value);
  }
  return ids;
}

std::vector<std::string> transfer_ids_of(const std::vector<settle::entry_record>& entries) {
  std::vector<std::string> ids;
  for (const auto& entry : entries) {
    ids.push_back(entry.transfer_id.value);
  }
  return ids;
}

std::vector<std::int64_t> amounts_of(const std::vector<settle::entry_record>& entries) {
  std::vector<std::int64_t> amounts;
  for (const auto& entry : entries) {
    amounts.push_back(entry.amount);
  }
  return amounts;
}

std::vector<std::int64_t> balances_after(const std::vector<settle::entry_record>& entries) {
  std::vector<std::int64_t> balances;
  for (const auto& entry : entries) {
    balances.push_back(entry.balance_after);
  }
  return balances;
}

// -- scenarios, each run on SQLite and on PostgreSQL ---------------------------------

void migration_creates_world_accounts(const test_database& database) {
  ledger_fixture ledger{database};
  for (const auto& currency : currencies) {
    auto world = ledger.reader().find_account(settle::world_account_id(currency));
    REQUIRE(world.has_value());
    CHECK(world->tenant == settle::system_tenant);
    CHECK(world->currency == currency);
    CHECK(world->balance == 0);
    CHECK(world->user_id.empty());
  }
  CHECK_FALSE(ledger.reader().find_account(settle::world_account_id("GBP")).has_value());
  auto again = settle::persistence::open_session(ledger.url());
  CHECK_NOTHROW(settle::persistence::migrate(*again, ledger.url().kind, {"USD", "EUR", "GBP"}));
  CHECK(ledger.reader().find_account(settle::world_account_id("GBP")).has_value());
}

// A database migrated by a newer build: this one migrates nothing, creates nothing (not
// even a world account of a currency it adds) and says why.
void newer_schema_is_refused(const test_database& database) {
  ledger_fixture ledger{database};
  auto session = settle::persistence::open_session(ledger.url());
  const long long newer = settle::persistence::latest_schema_version() + 1;
  *session << "INSERT INTO schema_migrations (version, applied_at) VALUES (:v, 0)",
    soci::use(newer);
  CHECK_THROWS_AS(settle::persistence::migrate(*session, ledger.url().kind, {"USD", "GBP"}),
                  settle::persistence::schema_too_new);
  CHECK_FALSE(ledger.reader().find_account(settle::world_account_id("GBP")).has_value());
  long long versions = 0;
  *session << "SELECT COUNT(*) FROM schema_migrations", soci::into(versions);
  CHECK(versions == newer); // 1 to this build's latest, the newer one, nothing else
}

// PostgreSQL compares the key columns byte by byte (as SQLite does), whatever the
// database's own collation: this keeps index inserts free of strcoll().
void key_columns_compare_bytes(const test_database& database) {
  ledger_fixture ledger{database};
  auto session = settle::persistence::open_session(ledger.url());
  std::string linguistic; // the columns that do not, for the failure's message
  soci::rowset<soci::row> rows =
    (session->prepare << "SELECT c.relname || '.' || a.attname FROM pg_index i"
                         " JOIN pg_class c ON c.oid = i.indrelid"
                         " JOIN pg_attribute a ON a.attrelid = i.indrelid"
                         " AND a.attnum = ANY (i.indkey)"
                         " JOIN pg_namespace n ON n.oid = c.relnamespace"
                         " WHERE n.nspname = 'public' AND a.atttypid = 'text'::regtype"
                         " AND a.attcollation <> (SELECT oid FROM pg_collation"
                         " WHERE collname = 'C')");
  for (const auto& row : rows) {
    linguistic += row.get<std::string>(0) + " ";
  }
  CHECK(linguistic == "");
  std::string collation;
  *session << "SELECT collation_name FROM information_schema.columns"
              " WHERE table_name = 'entries' AND column_name = 'id'",
    soci::into(collation);
  CHECK(collation == "C");
}

void users_and_accounts_round_trip(const test_database& database) {
  ledger_fixture ledger{database};
  ledger.open_accounts();
  auto user = ledger.reader().find_user(settle::user_id{"usr_ada"});
  REQUIRE(user.has_value());
  CHECK(user->tenant.value == "acme");
  CHECK(user->name == "Ada O'Neill");
  CHECK(user->email == "usr_ada@example.com");
  CHECK_FALSE(user->deleted);
  CHECK(user->created_at == created + 1);
  CHECK(user->ordinal == 1);

  auto account = ledger.reader().find_account(settle::account_id{"acc_b"});
  REQUIRE(account.has_value());
  CHECK(account->tenant.value == "acme");
  CHECK(account->user_id.value == "usr_ada");
  CHECK(account->currency == "USD");
  CHECK(account->balance == 0);
  CHECK(account->held == 0);
  CHECK(account->overdraft_limit == 25);
  CHECK(account->status == settle::account_status::open);
  CHECK(account->created_at == created + 3);
  CHECK(account->ordinal == 3);
  CHECK(ledger.reader().count_open_accounts(settle::user_id{"usr_ada"}) == 3);
}

void netted_group_sets_balances(const test_database& database) {
  ledger_fixture ledger{database};
  ledger.open_accounts();
  ledger.commit_netted_group();
  CHECK(ledger.balance_of("acc_a") == 1000 - 300 + 100 - 50);
  CHECK(ledger.balance_of("acc_b") == 300 - 100 + 50);
  CHECK(ledger.balance_of(world_usd) == -1000);
  CHECK(ledger.balance_of("acc_e") == 0);
  CHECK(ledger.reader().largest_ordinal() == 13);
}

void entries_follow_commit_order(const test_database& database) {
  ledger_fixture ledger{database};
  ledger.open_accounts();
  ledger.commit_netted_group();
  auto a = ledger.reader().list_entries(query(10, {}, "acc_a")).items;
  CHECK(transfer_ids_of(a) == std::vector<std::string>{"trf_4", "trf_3", "trf_2", "trf_1"});
  CHECK(amounts_of(a) == std::vector<std::int64_t>{-50, 100, -300, 1000});
  CHECK(balances_after(a) == std::vector<std::int64_t>{750, 800, 700, 1000});
  auto b = ledger.reader().list_entries(query(10, {}, "acc_b")).items;
  CHECK(transfer_ids_of(b) == std::vector<std::string>{"trf_4", "trf_3", "trf_2"});
  CHECK(amounts_of(b) == std::vector<std::int64_t>{50, -100, 300});
  CHECK(balances_after(b) == std::vector<std::int64_t>{250, 200, 300});
  auto world = ledger.reader().list_entries(query(10, {}, world_usd)).items;
  REQUIRE(world.size() == 1);
  CHECK(world[0].amount == -1000);
  CHECK(world[0].balance_after == -1000);
  CHECK(world[0].kind == transfer_kind::deposit);
  REQUIRE(a.size() == 4);
  CHECK(a[3].kind == transfer_kind::deposit);
  CHECK(a[0].kind == transfer_kind::transfer);
  CHECK(a[0].created_at == created + 13 + 1);
  CHECK(a[0].order_id.empty());
}

void next_group_starts_from_stored_balances(const test_database& database) {
  ledger_fixture ledger{database};
  ledger.open_accounts();
  ledger.commit_netted_group();
  write_set later;
  later.transfers.push_back(make_transfer("trf_5", "acc_a", "acc_b", 10, 14));
  ledger.commit({later});
  CHECK(ledger.balance_of("acc_a") == 740);
  CHECK(ledger.balance_of("acc_b") == 260);
  auto newest_a = ledger.reader().list_entries(query(1, {}, "acc_a"));
  REQUIRE(newest_a.items.size() == 1);
  CHECK(newest_a.items[0].balance_after == 740);
  CHECK(newest_a.has_more);
  auto newest_b = ledger.reader().list_entries(query(1, {}, "acc_b"));
  REQUIRE(newest_b.items.size() == 1);
  CHECK(newest_b.items[0].balance_after == 260);
}

void transfers_list_newest_first_in_pages(const test_database& database) {
  ledger_fixture ledger{database};
  ledger.open_accounts();
  ledger.commit_netted_group();
  auto& reader = ledger.reader();
  auto first = reader.list_transfers(query(2));
  CHECK(ids_of(first.items) == std::vector<std::string>{"trf_4", "trf_3"});
  CHECK(first.has_more);
  CHECK_FALSE(first.cursor_unknown);
  auto second = reader.list_transfers(query(2, "trf_3"));
  CHECK(ids_of(second.items) == std::vector<std::string>{"trf_2", "trf_1"});
  CHECK_FALSE(second.has_more);
  auto exact = reader.list_transfers(query(4));
  CHECK(exact.items.size() == 4);
  CHECK_FALSE(exact.has_more);
  auto after_last = reader.list_transfers(query(4, "trf_1"));
  CHECK(after_last.items.empty());
  CHECK_FALSE(after_last.has_more);
  CHECK_FALSE(after_last.cursor_unknown);
}

void lists_filter_by_account_and_tenant(const test_database& database) {
  ledger_fixture ledger{database};
  ledger.open_accounts();
  ledger.commit_netted_group();
  auto& reader = ledger.reader();
  CHECK(ids_of(reader.list_transfers(query(10, {}, "acc_b")).items)
        == std::vector<std::string>{"trf_4", "trf_3", "trf_2"});
  CHECK(reader.list_transfers(query(10, {}, {}, "acme")).items.size() == 4);
  CHECK(reader.list_transfers(query(10, {}, {}, "globex")).items.empty());
  CHECK(ids_of(reader.list_accounts(query(10)).items)
        == std::vector<std::string>{"acc_e", "acc_b", "acc_a"});
  CHECK(ids_of(reader.list_accounts(query(10, "acc_b", "usr_ada", "acme")).items)
        == std::vector<std::string>{"acc_a"});
  CHECK(ids_of(reader.list_users(query(10, {}, {}, "acme")).items)
        == std::vector<std::string>{"usr_ada"});
  CHECK(reader.list_users(query(10, {}, {}, "globex")).items.empty());
}

void unknown_cursor_is_reported(const test_database& database) {
  ledger_fixture ledger{database};
  ledger.open_accounts();
  ledger.commit_netted_group();
  auto& reader = ledger.reader();
  auto transfers = reader.list_transfers(query(10, "trf_unknown"));
  CHECK(transfers.cursor_unknown);
  CHECK(transfers.items.empty());
  // A cursor that exists, but outside the filtered list, is unknown too.
  CHECK(reader.list_transfers(query(10, "trf_1", "acc_b")).cursor_unknown);
  CHECK(reader.list_entries(query(10, "ent_unknown", "acc_a")).cursor_unknown);
  auto entries = reader.list_entries(query(10, {}, "acc_a")).items;
  REQUIRE(entries.size() == 4);
  auto after_second = reader.list_entries(query(10, entries[1].id.value, "acc_a"));
  CHECK_FALSE(after_second.cursor_unknown);
  CHECK(transfer_ids_of(after_second.items) == std::vector<std::string>{"trf_2", "trf_1"});
}

// An account's entries are found by its ordinal (migration 17), so no two accounts share
// one: the system account of each currency has its own, below every account's, kept when
// the database is migrated again; each lists only its own entries; and an account with a
// taken ordinal is refused.
void accounts_have_their_own_ordinals(const test_database& database) {
  ledger_fixture ledger{database};
  ledger.open_accounts();
  auto world_eur = settle::world_account_id("EUR").value;
  write_set deposits;
  deposits.transfers.push_back(make_transfer("trf_usd", world_usd, "acc_a", 70, 10));
  auto euros = make_transfer("trf_eur", world_eur, "acc_e", 80, 11);
  euros.kind = transfer_kind::deposit;
  euros.from_tenant = settle::system_tenant;
  euros.currency = "EUR";
  deposits.transfers.push_back(euros);
  ledger.commit({deposits});
  {
    auto session = settle::persistence::open_session(ledger.url());
    settle::persistence::migrate(*session, ledger.url().kind, currencies);
  }
  auto& reader = ledger.reader();
  auto usd = reader.find_account(settle::account_id{world_usd});
  auto eur = reader.find_account(settle::account_id{world_eur});
  REQUIRE(usd.has_value());
  REQUIRE(eur.has_value());
  CHECK(usd->ordinal < 0);
  CHECK(eur->ordinal < 0);
  CHECK(usd->ordinal != eur->ordinal);
  CHECK(transfer_ids_of(reader.list_entries(query(10, {}, world_usd)).items)
        == std::vector<std::string>{"trf_usd"});
  CHECK(transfer_ids_of(reader.list_entries(query(10, {}, world_eur)).items)
        == std::vector<std::string>{"trf_eur"});
  CHECK(ids_of(reader.list_transfers(query(10, {}, world_eur)).items)
        == std::vector<std::string>{"trf_eur"});
  write_set taken;
  taken.accounts_inserted.push_back(make_account("acc_twin", "USD", 2));
  CHECK_THROWS_AS(ledger.commit({taken}), settle::persistence::storage_error);
  CHECK_FALSE(reader.find_account(settle::account_id{"acc_twin"}).has_value());
}

// A database migrated with entries already written (rows of `entries`, as before the
// transfer row became the ledger): an account's list reads them below its new entries,
// pages across the two, and the audit counts both; its transfers list the same way.
void entries_written_before_list_with_later_ones(const test_database& database) {
  ledger_fixture ledger{database};
  ledger.open_accounts();
  {
    auto session = settle::persistence::open_session(ledger.url());
    *session << "INSERT INTO transfers (id, from_account, to_account, from_tenant, to_tenant,"
                " kind, order_id, amount, currency, description, created_at, settled_at, ordinal)"
                " VALUES ('trf_old', '" + world_usd + "', 'acc_a', 'system', 'acme', 'deposit',"
                " NULL, 1000, 'USD', '', 1, 2, 9)";
    *session << "INSERT INTO entries (id, account_id, transfer_id, order_id, kind, amount,"
                " balance_after, created_at, ordinal) VALUES"
                " ('ent_olddebit', '" + world_usd
                  + "', 'trf_old', NULL, 'deposit', -1000, -1000, 2, 1),"
                " ('ent_oldcredit', 'acc_a', 'trf_old', NULL, 'deposit', 1000, 1000, 2, 1)";
    *session << "UPDATE accounts SET balance = 1000, entry_position = 1 WHERE id = 'acc_a'";
    *session << "UPDATE accounts SET balance = -1000, entry_position = 1 WHERE id = '"
                + world_usd + "'";
  }
  write_set later;
  later.transfers.push_back(make_transfer("trf_2", "acc_a", "acc_b", 300, 10));
  ledger.commit({later});
  auto& reader = ledger.reader();
  auto a = reader.list_entries(query(10, {}, "acc_a")).items;
  CHECK(ids_of(a) == std::vector<std::string>{"ent_2_d", "ent_oldcredit"});
  CHECK(amounts_of(a) == std::vector<std::int64_t>{-300, 1000});
  CHECK(balances_after(a) == std::vector<std::int64_t>{700, 1000});
  auto b = reader.list_entries(query(10, {}, "acc_b")).items;
  CHECK(ids_of(b) == std::vector<std::string>{"ent_2_c"});
  CHECK(balances_after(b) == std::vector<std::int64_t>{300});
  auto first = reader.list_entries(query(1, {}, "acc_a"));
  CHECK(ids_of(first.items) == std::vector<std::string>{"ent_2_d"});
  CHECK(first.has_more);
  auto second = reader.list_entries(query(1, "ent_2_d", "acc_a"));
  CHECK(ids_of(second.items) == std::vector<std::string>{"ent_oldcredit"});
  CHECK_FALSE(second.has_more);
  CHECK(reader.list_entries(query(1, "ent_oldcredit", "acc_a")).items.empty());
  // The other side's entry, or an old entry of another account, is no cursor here.
  CHECK(reader.list_entries(query(1, "ent_2_c", "acc_a")).cursor_unknown);
  CHECK(reader.list_entries(query(1, "ent_olddebit", "acc_a")).cursor_unknown);
  // The account's transfers likewise: later ones in its order, then those before.
  using ids = std::vector<std::string>;
  CHECK(ids_of(reader.list_transfers(query(10, {}, "acc_a", "acme")).items)
        == ids{"trf_2", "trf_old"});
  auto newest = reader.list_transfers(query(1, {}, "acc_a"));
  CHECK(ids_of(newest.items) == ids{"trf_2"});
  CHECK(newest.has_more);
  auto older = reader.list_transfers(query(1, "trf_2", "acc_a"));
  CHECK(ids_of(older.items) == ids{"trf_old"});
  CHECK_FALSE(older.has_more);
  CHECK(reader.list_transfers(query(1, "trf_old", "acc_a")).items.empty());
  CHECK(ids_of(reader.list_transfers(query(10, {}, world_usd)).items) == ids{"trf_old"});
  CHECK(reader.list_transfers(query(10, "trf_old", "acc_b")).cursor_unknown);
  CHECK(reader.list_transfers(query(10, {}, "acc_a", "globex")).items.empty());
  auto report = reader.audit();
  CHECK(report.mismatched_accounts.empty());
  REQUIRE(report.currencies.size() == 2);
  CHECK(report.currencies[1].entries == 4);
  CHECK(report.currencies[1].sum_of_balances == "0");
}

// How many group commits took their balances from each source, in this process.
struct balance_sources {
  std::int64_t known = settle::testing::metric_value(source("known"));
  std::int64_t asked = settle::testing::metric_value(source("asked"));
  std::int64_t moved = settle::testing::metric_value(source("moved"));

  static std::string source(const std::string& name) {
    return "settle_commit_balances_total{source=\"" + name + "\"}";
  }
  balance_sources since(const balance_sources& before) const {
    return {known - before.known, asked - before.asked, moved - before.moved};
  }
  bool operator==(const balance_sources& other) const {
    return known == other.known && asked == other.asked && moved == other.moved;
  }
};

// Commits the write sets as one group; returns where its balances came from.
balance_sources sources_of_commit(ledger_fixture& ledger, const std::vector<write_set>& sets) {
  balance_sources before;
  ledger.commit(sets);
  return balance_sources{}.since(before);
}

// PostgreSQL with one writer connection: a group of accounts the writer's own commits
// left behind goes without asking the database for their balances (one round trip),
// with the same balance_after as asking gives; an account changed behind the writer
// makes the database refuse the group, which then commits by asking, and nothing of it
// is lost or doubled.
void known_accounts_commit_without_asking(const test_database& database) {
  ledger_fixture ledger{database};
  ledger.open_accounts();
  balance_sources start;
  ledger.commit_netted_group(); // the world account was made by migrate: asked
  CHECK(balance_sources{}.since(start) == balance_sources{0, 1, 0});
  write_set second_round;
  second_round.transfers.push_back(make_transfer("trf_5", "acc_a", "acc_b", 30, 14));
  second_round.transfers.push_back(make_transfer("trf_6", "acc_b", "acc_a", 20, 15));
  second_round.held_changes.push_back({"acc_b", 40});
  write_set third_round;
  third_round.transfers.push_back(make_transfer("trf_7", "acc_a", "acc_b", 5, 16));
  CHECK(sources_of_commit(ledger, {second_round, third_round}) == balance_sources{1, 0, 0});
  CHECK(ledger.balance_of("acc_a") == 735);
  CHECK(ledger.balance_of("acc_b") == 265);
  auto a = ledger.reader().list_entries(query(3, {}, "acc_a")).items;
  CHECK(transfer_ids_of(a) == std::vector<std::string>{"trf_7", "trf_6", "trf_5"});
  CHECK(balances_after(a) == std::vector<std::int64_t>{735, 740, 720});
  auto held = ledger.reader().find_account(settle::account_id{"acc_b"});
  REQUIRE(held.has_value());
  CHECK(held->held == 40);

  {
    auto session = settle::persistence::open_session(ledger.url());
    *session << "UPDATE accounts SET balance = balance + 7 WHERE id = 'acc_a'";
  }
  write_set behind;
  behind.transfers.push_back(make_transfer("trf_8", "acc_a", "acc_b", 10, 17));
  CHECK(sources_of_commit(ledger, {behind}) == balance_sources{0, 1, 1});
  CHECK(ledger.balance_of("acc_a") == 732);
  CHECK(ledger.balance_of("acc_b") == 275);
  auto after = ledger.reader().list_entries(query(1, {}, "acc_a")).items;
  CHECK(transfer_ids_of(after) == std::vector<std::string>{"trf_8"});
  CHECK(balances_after(after) == std::vector<std::int64_t>{732});
  CHECK(ids_of(ledger.reader().list_transfers(query(10, {}, "acc_a")).items).size() == 8);

  // Learned again from the database's answer: the next group goes without asking.
  write_set known_again;
  known_again.transfers.push_back(make_transfer("trf_9", "acc_b", "acc_a", 2, 18));
  CHECK(sources_of_commit(ledger, {known_again}) == balance_sources{1, 0, 0});
  CHECK(ledger.balance_of("acc_a") == 734);
}

void audit_balances_and_entries(const test_database& database) {
  ledger_fixture ledger{database};
  ledger.open_accounts();
  ledger.commit_netted_group();
  auto report = ledger.reader().audit();
  CHECK(report.mismatched_accounts.empty());
  REQUIRE(report.currencies.size() == 2);
  CHECK(report.currencies[0].currency == "EUR");
  CHECK(report.currencies[0].sum_of_balances == "0");
  CHECK(report.currencies[0].accounts == 2);
  CHECK(report.currencies[0].entries == 0);
  CHECK(report.currencies[1].currency == "USD");
  CHECK(report.currencies[1].sum_of_balances == "0");
  CHECK(report.currencies[1].accounts == 3);
  CHECK(report.currencies[1].entries == 8);
}

void audit_finds_a_tampered_balance(const test_database& database) {
  ledger_fixture ledger{database};
  ledger.open_accounts();
  ledger.commit_netted_group();
  auto session = settle::persistence::open_session(ledger.url());
  *session << "UPDATE accounts SET balance = balance + 5 WHERE id = 'acc_b'";
  auto report = ledger.reader().audit();
  REQUIRE(report.mismatched_accounts.size() == 1);
  CHECK(report.mismatched_accounts[0].account_id.value == "acc_b");
  CHECK(report.mismatched_accounts[0].balance == 255);
  CHECK(report.mismatched_accounts[0].sum_of_entries == "250");
  REQUIRE(report.currencies.size() == 2);
  CHECK(report.currencies[1].sum_of_balances == "5");
}

void idempotency_record_round_trip(const test_database& database) {
  ledger_fixture ledger{database};
  settle::persistence::idempotency_record record{
    "acme", "key-1", "fingerprint-1", 201, R"({"id":"trf_1","description":"it's \"quoted\" – ok"})",
    created + 7};
  write_set set;
  set.idempotency_records.push_back(record);
  ledger.commit({set});
  auto found = ledger.reader().find_idempotency_record(settle::tenant_name{"acme"}, "key-1");
  REQUIRE(found.has_value());
  CHECK(found->tenant.value == "acme");
  CHECK(found->key == "key-1");
  CHECK(found->fingerprint == "fingerprint-1");
  CHECK(found->status == 201);
  CHECK(found->body == record.body);
  CHECK(found->created_at == created + 7);
  CHECK_FALSE(ledger.reader().find_idempotency_record(settle::tenant_name{"globex"}, "key-1").has_value());
  CHECK_FALSE(ledger.reader().find_idempotency_record(settle::tenant_name{"acme"}, "key-2").has_value());
  // A key is the client's text: quotes and parameter-like words are only text.
  auto awkward = record;
  awkward.key = "it's $2 and $1\\";
  write_set second;
  second.idempotency_records.push_back(awkward);
  ledger.commit({second});
  auto awkward_found = ledger.reader().find_idempotency_record(settle::tenant_name{"acme"}, awkward.key);
  REQUIRE(awkward_found.has_value());
  CHECK(awkward_found->key == awkward.key);
  CHECK_FALSE(ledger.reader().find_idempotency_record(settle::tenant_name{"acme"}, "$1").has_value());
}

// One lookup of many keys (across SQLite's 400 rows per statement) finds exactly the
// stored ones: by tenant and key both, each with its own answer.
void idempotency_records_found_together(const test_database& database) {
  ledger_fixture ledger{database};
  write_set set;
  std::vector<settle::persistence::idempotency_record> wanted;
  for (int index = 0; index < 401; ++index) {
    auto key = "key-" + std::to_string(index);
    if (index % 2 == 0) {
      set.idempotency_records.push_back(
        {"acme", key, "fingerprint-" + key, 201, "{\"n\":" + std::to_string(index) + "}", created});
    }
    settle::persistence::idempotency_record asked;
    asked.tenant = settle::tenant_name{"acme"};
    asked.key = key;
    wanted.push_back(asked);
    asked.tenant = settle::tenant_name{"globex"}; // stored for acme only
    wanted.push_back(asked);
  }
  ledger.commit({set});
  auto found = ledger.reader().find_idempotency_records(wanted);
  REQUIRE(found.size() == 201);
  std::set<std::string> keys;
  for (const auto& record : found) {
    CHECK(record.tenant.value == "acme");
    auto index = std::stoi(record.key.substr(4));
    CHECK(index % 2 == 0);
    CHECK(record.fingerprint == "fingerprint-" + record.key);
    CHECK(record.body == "{\"n\":" + std::to_string(index) + "}");
    keys.insert(record.key);
  }
  CHECK(keys.size() == 201);
  CHECK(ledger.reader().find_idempotency_records({}).empty());
}

// A group of two write sets whose second names an account that does not exist.
std::vector<write_set> group_with_a_missing_account() {
  write_set valid;
  valid.users_inserted.push_back(make_user("usr_bob", 20));
  valid.accounts_inserted.push_back(make_account("acc_c", "USD", 21));
  valid.transfers.push_back(make_transfer("trf_ok", "acc_a", "acc_b", 100, 22));
  valid.idempotency_records.push_back({"acme", "key-ok", "fingerprint", 201, "{}", created});
  write_set invalid;
  invalid.transfers.push_back(make_transfer("trf_bad", "acc_a", "acc_missing", 50, 23));
  return {valid, invalid};
}

void failing_group_writes_nothing(const test_database& database) {
  ledger_fixture ledger{database};
  ledger.open_accounts();
  ledger.commit_netted_group();
  try {
    ledger.commit(group_with_a_missing_account());
    FAIL("the group was committed");
  } catch (const settle::persistence::storage_error& error) {
    // An ambiguous COMMIT would stop the node; this failure happens before COMMIT.
    CHECK(dynamic_cast<const settle::persistence::ambiguous_commit*>(&error) == nullptr);
  }
  auto& reader = ledger.reader();
  CHECK_FALSE(reader.find_user(settle::user_id{"usr_bob"}).has_value());
  CHECK_FALSE(reader.find_account(settle::account_id{"acc_c"}).has_value());
  CHECK_FALSE(reader.find_transfer(settle::transfer_id{"trf_ok"}).has_value());
  CHECK_FALSE(reader.find_transfer(settle::transfer_id{"trf_bad"}).has_value());
  CHECK_FALSE(reader.find_idempotency_record(settle::tenant_name{"acme"}, "key-ok").has_value());
  CHECK(ledger.balance_of("acc_a") == 750);
  CHECK(ledger.balance_of("acc_b") == 250);
  CHECK(reader.list_entries(query(10, {}, "acc_a")).items.size() == 4);
  auto report = reader.audit();
  CHECK(report.mismatched_accounts.empty());
  CHECK(report.currencies[1].sum_of_balances == "0");
}

void store_works_after_a_failed_group(const test_database& database) {
  ledger_fixture ledger{database};
  ledger.open_accounts();
  ledger.commit_netted_group();
  auto group = group_with_a_missing_account();
  CHECK_THROWS_AS(ledger.commit(group), settle::persistence::storage_error);
  ledger.commit({group[0]});
  CHECK(ledger.reader().find_user(settle::user_id{"usr_bob"}).has_value());
  CHECK(ledger.reader().find_transfer(settle::transfer_id{"trf_ok"}).has_value());
  CHECK(ledger.balance_of("acc_a") == 650);
  CHECK(ledger.balance_of("acc_b") == 350);
}

// A restarted node finds the writers' lock free: the store lets go of it when it is
// gone, not once its server process has ended, a moment after the connection closed.
void writer_lets_go_of_its_lock(const test_database& database) {
  auto watcher = settle::persistence::open_session(database.url());
  settle::persistence::migrate(*watcher, database.url().kind, currencies);
  CHECK(settle::testing::rounds_held_after_letting_go(*watcher, 300, [&] {
          return std::make_unique<settle::persistence::ledger_store>(database.url());
        }) == 0);
}

void held_changes_are_netted(const test_database& database) {
  ledger_fixture ledger{database};
  ledger.open_accounts();
  write_set hold;
  hold.held_changes.push_back({"acc_a", 300});
  write_set partly_released;
  partly_released.held_changes.push_back({"acc_a", -100});
  partly_released.held_changes.push_back({"acc_b", 50});
  ledger.commit({hold, partly_released});
  auto a = ledger.reader().find_account(settle::account_id{"acc_a"});
  REQUIRE(a.has_value());
  CHECK(a->held == 200);
  CHECK(a->balance == 0);
  CHECK(ledger.reader().find_account(settle::account_id{"acc_b"})->held == 50);
  write_set missing;
  missing.held_changes.push_back({"acc_missing", 10});
  CHECK_THROWS_AS(ledger.commit({missing}), settle::persistence::storage_error);
}

settle::order_record make_order(const std::string& id, std::int64_t ordinal) {
  settle::order_record order;
  order.id = settle::order_id{id};
  order.tenant = settle::tenant_name{"acme"};
  order.payer_account = settle::account_id{"acc_a"};
  order.payee_account = settle::account_id{"acc_b"};
  order.amount = 400;
  order.currency = "USD";
  order.capture = settle::capture_method::manual;
  order.description = "order " + id;
  order.created_at = created + ordinal;
  order.updated_at = created + ordinal;
  order.ordinal = ordinal;
  return order;
}

void orders_round_trip(const test_database& database) {
  ledger_fixture ledger{database};
  ledger.open_accounts();
  write_set created_order;
  created_order.orders_inserted.push_back(make_order("ord_1", 30));
  ledger.commit({created_order});
  auto authorized = make_order("ord_1", 30);
  authorized.status = settle::order_status::authorized;
  authorized.amount_authorized = 400;
  authorized.expires_at = created + 600'000;
  authorized.updated_at = created + 99;
  write_set authorization;
  authorization.orders_updated.push_back(authorized);
  authorization.orders_inserted.push_back(make_order("ord_2", 31));
  ledger.commit({authorization});

  auto found = ledger.reader().find_order(settle::order_id{"ord_1"});
  REQUIRE(found.has_value());
  CHECK(found->status == settle::order_status::authorized);
  CHECK(found->capture == settle::capture_method::manual);
  CHECK(found->amount_authorized == 400);
  CHECK(found->expires_at == created + 600'000);
  CHECK(found->updated_at == created + 99);
  CHECK(found->created_at == created + 30);
  CHECK(found->failure_code.empty());
  CHECK(ledger.reader().authorized_order_ids() == std::vector<settle::order_id>{settle::order_id{"ord_1"}});
  CHECK(ids_of(ledger.reader().list_orders(query(10, {}, "acc_b")).items)
        == std::vector<std::string>{"ord_2", "ord_1"});
  auto by_status = query(10);
  by_status.status = "created";
  CHECK(ids_of(ledger.reader().list_orders(by_status).items) == std::vector<std::string>{"ord_2"});

  // One group changes both orders, ord_1 twice: the later change is the one kept.
  auto captured = authorized;
  captured.status = settle::order_status::settled;
  captured.amount_captured = 400;
  captured.updated_at = created + 120;
  auto failed = make_order("ord_2", 31);
  failed.status = settle::order_status::failed;
  failed.failure_code = "insufficient_funds";
  write_set first;
  first.orders_updated.push_back(authorized);
  write_set second;
  second.orders_updated.push_back(captured);
  second.orders_updated.push_back(failed);
  ledger.commit({first, second});
  auto settled = ledger.reader().find_order(settle::order_id{"ord_1"});
  REQUIRE(settled.has_value());
  CHECK(settled->status == settle::order_status::settled);
  CHECK(settled->amount_captured == 400);
  CHECK(settled->updated_at == created + 120);
  auto refused = ledger.reader().find_order(settle::order_id{"ord_2"});
  REQUIRE(refused.has_value());
  CHECK(refused->status == settle::order_status::failed);
  CHECK(refused->failure_code == "insufficient_funds");
  CHECK(ledger.reader().authorized_order_ids().empty());
}

} // namespace

TEST_CASE("migrate makes the world account of each currency, on SQLite", "[ledger_store][sqlite]") {
  settle::testing::run_on_sqlite(migration_creates_world_accounts);
}
TEST_CASE("migrate makes the world account of each currency, on PostgreSQL",
          "[ledger_store][postgresql]") {
  settle::testing::run_on_postgresql(migration_creates_world_accounts);
}

TEST_CASE("indexed text columns compare bytes, on PostgreSQL", "[ledger_store][postgresql]") {
  settle::testing::run_on_postgresql(key_columns_compare_bytes);
}

TEST_CASE("users and accounts read back as committed, on SQLite", "[ledger_store][sqlite]") {
  settle::testing::run_on_sqlite(users_and_accounts_round_trip);
}
TEST_CASE("users and accounts read back as committed, on PostgreSQL",
          "[ledger_store][postgresql]") {
  settle::testing::run_on_postgresql(users_and_accounts_round_trip);
}

TEST_CASE("a group nets each account's changes into its balance, on SQLite",
          "[ledger_store][sqlite]") {
  settle::testing::run_on_sqlite(netted_group_sets_balances);
}
TEST_CASE("a group nets each account's changes into its balance, on PostgreSQL",
          "[ledger_store][postgresql]") {
  settle::testing::run_on_postgresql(netted_group_sets_balances);
}

TEST_CASE("entries carry signed amounts and balance_after in commit order, on SQLite",
          "[ledger_store][sqlite]") {
  settle::testing::run_on_sqlite(entries_follow_commit_order);
}
TEST_CASE("entries carry signed amounts and balance_after in commit order, on PostgreSQL",
          "[ledger_store][postgresql]") {
  settle::testing::run_on_postgresql(entries_follow_commit_order);
}

TEST_CASE("a later group continues from the stored balances, on SQLite", "[ledger_store][sqlite]") {
  settle::testing::run_on_sqlite(next_group_starts_from_stored_balances);
}
TEST_CASE("a later group continues from the stored balances, on PostgreSQL",
          "[ledger_store][postgresql]") {
  settle::testing::run_on_postgresql(next_group_starts_from_stored_balances);
}

TEST_CASE("transfers list newest first in pages, on SQLite", "[ledger_store][sqlite]") {
  settle::testing::run_on_sqlite(transfers_list_newest_first_in_pages);
}
TEST_CASE("transfers list newest first in pages, on PostgreSQL", "[ledger_store][postgresql]") {
  settle::testing::run_on_postgresql(transfers_list_newest_first_in_pages);
}

TEST_CASE("lists filter by account, user and tenant, on SQLite", "[ledger_store][sqlite]") {
  settle::testing::run_on_sqlite(lists_filter_by_account_and_tenant);
}
TEST_CASE("lists filter by account, user and tenant, on PostgreSQL",
          "[ledger_store][postgresql]") {
  settle::testing::run_on_postgresql(lists_filter_by_account_and_tenant);
}

TEST_CASE("an unknown starting_after is reported as cursor_unknown, on SQLite",
          "[ledger_store][sqlite]") {
  settle::testing::run_on_sqlite(unknown_cursor_is_reported);
}
TEST_CASE("an unknown starting_after is reported as cursor_unknown, on PostgreSQL",
          "[ledger_store][postgresql]") {
  settle::testing::run_on_postgresql(unknown_cursor_is_reported);
}

TEST_CASE("entries and transfers written before the lean ledger list below later ones,"
          " on SQLite",
          "[ledger_store][sqlite]") {
  settle::testing::run_on_sqlite(entries_written_before_list_with_later_ones);
}
TEST_CASE("entries and transfers written before the lean ledger list below later ones,"
          " on PostgreSQL",
          "[ledger_store][postgresql]") {
  settle::testing::run_on_postgresql(entries_written_before_list_with_later_ones);
}
TEST_CASE("each account has its own ordinal, the system accounts too, on SQLite",
          "[ledger_store][sqlite]") {
  settle::testing::run_on_sqlite(accounts_have_their_own_ordinals);
}
TEST_CASE("each account has its own ordinal, the system accounts too, on PostgreSQL",
          "[ledger_store][postgresql]") {
  settle::testing::run_on_postgresql(accounts_have_their_own_ordinals);
}

TEST_CASE("a database migrated by a newer build is refused, on SQLite",
          "[ledger_store][sqlite]") {
  settle::testing::run_on_sqlite(newer_schema_is_refused);
}
TEST_CASE("a database migrated by a newer build is refused, on PostgreSQL",
          "[ledger_store][postgresql]") {
  settle::testing::run_on_postgresql(newer_schema_is_refused);
}

TEST_CASE("a writer commits accounts it knows without asking for their balances, and asks"
          " when one changed behind it, on PostgreSQL",
          "[ledger_store][postgresql]") {
  settle::testing::run_on_postgresql(known_accounts_commit_without_asking);
}

TEST_CASE("the audit finds balances summing to 0 and matching entries, on SQLite",
          "[ledger_store][sqlite]") {
  settle::testing::run_on_sqlite(audit_balances_and_entries);
}
TEST_CASE("the audit finds balances summing to 0 and matching entries, on PostgreSQL",
          "[ledger_store][postgresql]") {
  settle::testing::run_on_postgresql(audit_balances_and_entries);
}

TEST_CASE("the audit reports a balance that disagrees with its entries, on SQLite",
          "[ledger_store][sqlite]") {
  settle::testing::run_on_sqlite(audit_finds_a_tampered_balance);
}
TEST_CASE("the audit reports a balance that disagrees with its entries, on PostgreSQL",
          "[ledger_store][postgresql]") {
  settle::testing::run_on_postgresql(audit_finds_a_tampered_balance);
}

TEST_CASE("an idempotency record reads back as committed, on SQLite", "[ledger_store][sqlite]") {
  settle::testing::run_on_sqlite(idempotency_record_round_trip);
}
TEST_CASE("an idempotency record reads back as committed, on PostgreSQL",
          "[ledger_store][postgresql]") {
  settle::testing::run_on_postgresql(idempotency_record_round_trip);
}

TEST_CASE("many idempotency keys are looked up at once, on SQLite", "[ledger_store][sqlite]") {
  settle::testing::run_on_sqlite(idempotency_records_found_together);
}
TEST_CASE("many idempotency keys are looked up at once, on PostgreSQL",
          "[ledger_store][postgresql]") {
  settle::testing::run_on_postgresql(idempotency_records_found_together);
}

TEST_CASE("a group naming a missing account throws and writes nothing, on SQLite",
          "[ledger_store][sqlite]") {
  settle::testing::run_on_sqlite(failing_group_writes_nothing);
}
TEST_CASE("a group naming a missing account throws and writes nothing, on PostgreSQL",
          "[ledger_store][postgresql]") {
  settle::testing::run_on_postgresql(failing_group_writes_nothing);
}

TEST_CASE("the store commits again after a failed group, on SQLite", "[ledger_store][sqlite]") {
  settle::testing::run_on_sqlite(store_works_after_a_failed_group);
}
TEST_CASE("the store commits again after a failed group, on PostgreSQL",
          "[ledger_store][postgresql]") {
  settle::testing::run_on_postgresql(store_works_after_a_failed_group);
}

TEST_CASE("a store gone lets go of the writers' lock at once, on PostgreSQL",
          "[ledger_store][postgresql]") {
  settle::testing::run_on_postgresql(writer_lets_go_of_its_lock);
}

TEST_CASE("held changes are netted into accounts.held, on SQLite", "[ledger_store][sqlite]") {
  settle::testing::run_on_sqlite(held_changes_are_netted);
}
TEST_CASE("held changes are netted into accounts.held, on PostgreSQL",
          "[ledger_store][postgresql]") {
  settle::testing::run_on_postgresql(held_changes_are_netted);
}

TEST_CASE("orders read back as inserted and updated, on SQLite", "[ledger_store][sqlite]") {
  settle::testing::run_on_sqlite(orders_round_trip);
}
TEST_CASE("orders read back as inserted and updated, on PostgreSQL", "[ledger_store][postgresql]") {
  settle::testing::run_on_postgresql(orders_round_trip);
}
