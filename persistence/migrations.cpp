// The schema. Every money column is BIGINT (minor units). `ordinal` orders lists
// exactly, newest first. Identical SQL on SQLite and PostgreSQL.
#include "persistence/migrations.hpp"

#include "domain/clock.hpp"
#include "domain/currency.hpp"
#include "domain/records.hpp"
#include "persistence/advisory_lock.hpp"
#include "persistence/connection.hpp"
#include "persistence/event_columns.hpp"

#include <soci/soci.h>

namespace settle::persistence {
namespace {

struct migration {
  int version;
  std::vector<const char*> statements;
  bool postgresql_only = false; // recorded as applied on SQLite, where it has nothing to do
  // Work no portable SQL states, done before the statements in the same transaction.
  void (*before_statements)(soci::session& session) = nullptr;
};

// Fills the events' tenant columns (migration 12) from the padded list of each event.
void fill_event_tenant_columns(soci::session& session) {
  std::vector<std::pair<long long, std::string>> events;
  soci::rowset<soci::row> rows = (session.prepare << "SELECT seq, tenants FROM events");
  for (const auto& row : rows) {
    events.emplace_back(row.get<long long>(0), row.get<std::string>(1));
  }
  for (const auto& [seq, tenants] : events) {
    auto columns = tenant_columns_of(split_words(tenants));
    soci::indicator other = columns.other_tenant.empty() ? soci::i_null : soci::i_ok;
    long long number = seq;
    session << "UPDATE events SET tenant = :tenant, other_tenant = :other WHERE seq = :seq",
      soci::use(columns.tenant), soci::use(columns.other_tenant, other), soci::use(number);
  }
}

const std::vector<migration>& all_migrations() {
  static const std::vector<migration> migrations{
    {1,
     {
       "CREATE TABLE users ("
       " id TEXT PRIMARY KEY, tenant TEXT NOT NULL, name TEXT NOT NULL, email TEXT NOT NULL,"
       " deleted BIGINT NOT NULL DEFAULT 0, created_at BIGINT NOT NULL,"
       " ordinal BIGINT NOT NULL)",
       "CREATE INDEX users_by_tenant ON users (tenant, ordinal)",
       "CREATE TABLE accounts ("
       " id TEXT PRIMARY KEY, tenant TEXT NOT NULL, user_id TEXT, currency TEXT NOT NULL,"
       " balance BIGINT NOT NULL DEFAULT 0, held BIGINT NOT NULL DEFAULT 0,"
       " overdraft_limit BIGINT NOT NULL DEFAULT 0, status TEXT NOT NULL,"
       " created_at BIGINT NOT NULL, ordinal BIGINT NOT NULL)",
       "CREATE INDEX accounts_by_tenant ON accounts (tenant, ordinal)",
       "CREATE INDEX accounts_by_user ON accounts (user_id, ordinal)",
       "CREATE TABLE transfers ("
       " id TEXT PRIMARY KEY, kind TEXT NOT NULL, from_account TEXT NOT NULL,"
       " to_account TEXT NOT NULL, from_tenant TEXT NOT NULL, to_tenant TEXT NOT NULL,"
       " order_id TEXT, amount BIGINT NOT NULL, currency TEXT NOT NULL,"
       " description TEXT NOT NULL, created_at BIGINT NOT NULL, settled_at BIGINT NOT NULL,"
       " ordinal BIGINT NOT NULL)",
       "CREATE INDEX transfers_by_ordinal ON transfers (ordinal)",
       "CREATE INDEX transfers_from ON transfers (from_account, ordinal)",
       "CREATE INDEX transfers_to ON transfers (to_account, ordinal)",
       "CREATE TABLE entries ("
       " id TEXT PRIMARY KEY, account_id TEXT NOT NULL, transfer_id TEXT NOT NULL,"
       " order_id TEXT, kind TEXT NOT NULL, amount BIGINT NOT NULL,"
       " balance_after BIGINT NOT NULL, created_at BIGINT NOT NULL, ordinal BIGINT NOT NULL)",
       "CREATE INDEX entries_by_account ON entries (account_id, ordinal)",
       "CREATE TABLE idempotency_keys ("
       " tenant TEXT NOT NULL, idempotency_key TEXT NOT NULL, fingerprint TEXT NOT NULL,"
       " status BIGINT NOT NULL, body TEXT NOT NULL, created_at BIGINT NOT NULL,"
       " PRIMARY KEY (tenant, idempotency_key))",
       "CREATE INDEX idempotency_by_age ON idempotency_keys (created_at)",
     }},
    {2,
     {
       "CREATE TABLE orders ("
       " id TEXT PRIMARY KEY, tenant TEXT NOT NULL, payer_account TEXT NOT NULL,"
       " payee_account TEXT NOT NULL, amount BIGINT NOT NULL, currency TEXT NOT NULL,"
       " capture_method TEXT NOT NULL, status TEXT NOT NULL,"
       " amount_authorized BIGINT NOT NULL, amount_captured BIGINT NOT NULL,"
       " amount_refunded BIGINT NOT NULL, description TEXT NOT NULL, failure_code TEXT,"
       " expires_at BIGINT NOT NULL, authorization_ttl_s BIGINT NOT NULL,"
       " created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL, ordinal BIGINT NOT NULL)",
       "CREATE INDEX orders_by_tenant ON orders (tenant, ordinal)",
       "CREATE INDEX orders_by_payer ON orders (payer_account, ordinal)",
       "CREATE INDEX orders_by_payee ON orders (payee_account, ordinal)",
       "CREATE INDEX orders_by_status ON orders (status, expires_at)",
     }},
    {3,
     {
       // {sequence} is the dialect's auto-increasing key: a database sequence.
       "CREATE TABLE events ("
       " seq {sequence}, name TEXT NOT NULL, tenants TEXT NOT NULL, topics TEXT NOT NULL,"
       " object TEXT NOT NULL, at BIGINT NOT NULL)",
     }},
    {4,
     {
       // The cluster (PostgreSQL only uses them): members with a heartbeat, one lease
       // per shard with an epoch that grows on every change of owner, and the claims
       // that settle the outcome of a leg reserved on another node. Times are the
       // database's clock in milliseconds, so nodes' clocks never matter.
       "CREATE TABLE cluster_members ("
       " node_id TEXT PRIMARY KEY, slot BIGINT NOT NULL UNIQUE, address TEXT NOT NULL,"
       " state TEXT NOT NULL, heartbeat_at BIGINT NOT NULL)",
       "CREATE TABLE shard_leases ("
       " shard BIGINT PRIMARY KEY, owner TEXT, epoch BIGINT NOT NULL,"
       " expires_at BIGINT NOT NULL)",
       "CREATE TABLE leg_claims ("
       " leg_id TEXT NOT NULL, account_id TEXT NOT NULL, PRIMARY KEY (leg_id, account_id))",
     }},
    {5,
     {
       // Keys compare byte by byte, as SQLite's do: under a database's linguistic
       // collation every B-tree step of every insert is a strcoll(). Ids are ASCII, so no
       // order a client sees changes; only the indexes are rebuilt.
       "ALTER TABLE users ALTER COLUMN id TYPE TEXT COLLATE \"C\","
       " ALTER COLUMN tenant TYPE TEXT COLLATE \"C\"",
       "ALTER TABLE accounts ALTER COLUMN id TYPE TEXT COLLATE \"C\","
       " ALTER COLUMN tenant TYPE TEXT COLLATE \"C\", ALTER COLUMN user_id TYPE TEXT COLLATE \"C\"",
       "ALTER TABLE transfers ALTER COLUMN id TYPE TEXT COLLATE \"C\","
       " ALTER COLUMN from_account TYPE TEXT COLLATE \"C\","
       " ALTER COLUMN to_account TYPE TEXT COLLATE \"C\","
       " ALTER COLUMN from_tenant TYPE TEXT COLLATE \"C\","
       " ALTER COLUMN to_tenant TYPE TEXT COLLATE \"C\"",
       "ALTER TABLE entries ALTER COLUMN id TYPE TEXT COLLATE \"C\","
       " ALTER COLUMN account_id TYPE TEXT COLLATE \"C\","
       " ALTER COLUMN transfer_id TYPE TEXT COLLATE \"C\"",
       "ALTER TABLE idempotency_keys ALTER COLUMN tenant TYPE TEXT COLLATE \"C\","
       " ALTER COLUMN idempotency_key TYPE TEXT COLLATE \"C\"",
       "ALTER TABLE orders ALTER COLUMN id TYPE TEXT COLLATE \"C\","
       " ALTER COLUMN tenant TYPE TEXT COLLATE \"C\","
       " ALTER COLUMN payer_account TYPE TEXT COLLATE \"C\","
       " ALTER COLUMN payee_account TYPE TEXT COLLATE \"C\","
       " ALTER COLUMN status TYPE TEXT COLLATE \"C\"",
       "ALTER TABLE leg_claims ALTER COLUMN leg_id TYPE TEXT COLLATE \"C\","
       " ALTER COLUMN account_id TYPE TEXT COLLATE \"C\"",
       "ALTER TABLE cluster_members ALTER COLUMN node_id TYPE TEXT COLLATE \"C\"",
     },
     true},
    {6,
     {
       // The payee's tenant sees the orders paying its accounts and alone may refund them.
       "ALTER TABLE orders ADD COLUMN payee_tenant TEXT NOT NULL DEFAULT ''",
       "UPDATE orders SET payee_tenant = COALESCE("
       "(SELECT tenant FROM accounts WHERE accounts.id = orders.payee_account), '')",
       "CREATE INDEX orders_by_payee_tenant ON orders (payee_tenant, ordinal)",
     }},
    {7,
     {
       "ALTER TABLE orders ALTER COLUMN payee_tenant TYPE TEXT COLLATE \"C\"",
     },
     true},
    {8,
     {
       // One row per ledger writer (a process's store): the number of its last group,
       // written in the group's own transaction. When COMMIT's answer is lost, the
       // writer reads it back to learn whether the group is durable.
       "CREATE TABLE writer_commits ("
       " writer TEXT PRIMARY KEY, last_group BIGINT NOT NULL, started_at BIGINT NOT NULL)",
     }},
    {9,
     {
       "ALTER TABLE writer_commits ALTER COLUMN writer TYPE TEXT COLLATE \"C\"",
     },
     true},
    {10,
     {
       // Every tenant-scoped list reads an index in its own order (see event_columns.hpp
       // and store_reader's lists): a tenant with few rows among many is found at once.
       "ALTER TABLE events ADD COLUMN tenant TEXT",
       "ALTER TABLE events ADD COLUMN other_tenant TEXT",
     }},
    {11,
     {
       "ALTER TABLE events ALTER COLUMN tenant TYPE TEXT COLLATE \"C\","
       " ALTER COLUMN other_tenant TYPE TEXT COLLATE \"C\"",
     },
     true},
    {12,
     {
       "CREATE INDEX events_by_tenant ON events (tenant, seq)",
       "CREATE INDEX events_by_other_tenant ON events (other_tenant, seq)"
       " WHERE other_tenant IS NOT NULL",
       // A transfer within one tenant needs no second entry.
       "CREATE INDEX transfers_by_from_tenant ON transfers (from_tenant, ordinal)",
       "CREATE INDEX transfers_by_to_tenant ON transfers (to_tenant, ordinal)"
       " WHERE from_tenant <> to_tenant",
     },
     false,
     fill_event_tenant_columns},
    {13,
     {
       // Each account numbers its own entries: the group's netted UPDATE advances the
       // counter under the row's lock, so an account's entries (and their balance_after)
       // read in the order its balance changed, whichever node committed them. Entries
       // written before keep their numbers, which the counter starts above.
       "ALTER TABLE accounts ADD COLUMN entry_position BIGINT NOT NULL DEFAULT 0",
       "UPDATE accounts SET entry_position = COALESCE("
       "(SELECT MAX(ordinal) FROM entries WHERE entries.account_id = accounts.id), 0)",
     }},
    {14,
     {
       // The cluster's event order without a commit lock (docs/ARCHITECTURE.md,
       // "Order"). A group numbers its events after it holds every row it writes, in a
       // section one writer at a time enters for microseconds, and marks its first seq
       // with a transaction-level advisory lock (key 2^62 + seq) that ends with
       // it. A reader takes, in the same section, the smallest mark still held (or the
       // next seq to be issued) and reads only events below it: all of them ended, so a
       // reader that resumes after them never skips an event that commits later.
       "CREATE FUNCTION settle_number_events(event_count BIGINT) RETURNS BIGINT"
       " LANGUAGE plpgsql AS $$"
       " DECLARE first_seq BIGINT;"
       " BEGIN"
       "   PERFORM pg_advisory_lock(7304);"
       "   BEGIN"
       // (SELECT INTO, not the assignment operator, which SOCI reads as a placeholder.)
       "     SELECT nextval(pg_get_serial_sequence('events', 'seq')) INTO first_seq;"
       "     IF event_count > 1 THEN"
       "       PERFORM setval(pg_get_serial_sequence('events', 'seq'), first_seq + event_count - 1);"
       "     END IF;"
       "     PERFORM pg_advisory_xact_lock((CAST(1 AS BIGINT) << 62) + first_seq);"
       "   EXCEPTION WHEN OTHERS OR query_canceled THEN"
       // A session's advisory lock outlives a failed transaction: release it first.
       "     PERFORM pg_advisory_unlock(7304);"
       "     RAISE;"
       "   END;"
       "   PERFORM pg_advisory_unlock(7304);"
       "   RETURN first_seq;"
       " END $$",
       "CREATE FUNCTION settle_event_watermark() RETURNS BIGINT LANGUAGE plpgsql AS $$"
       " DECLARE watermark BIGINT;"
       " BEGIN"
       "   PERFORM pg_advisory_lock_shared(7304);"
       "   BEGIN"
       "     SELECT LEAST("
       "       (SELECT MIN(((CAST(classid AS BIGINT) << 32) | CAST(objid AS BIGINT))"
       "                   - (CAST(1 AS BIGINT) << 62))"
       "        FROM pg_locks WHERE locktype = 'advisory' AND objsubid = 1 AND granted"
       "        AND classid >= 1073741824"
       "        AND database = (SELECT oid FROM pg_database WHERE datname = current_database())),"
       "       COALESCE(pg_sequence_last_value(pg_get_serial_sequence('events', 'seq')), 0) + 1)"
       "       INTO watermark;"
       "   EXCEPTION WHEN OTHERS OR query_canceled THEN"
       "     PERFORM pg_advisory_unlock_shared(7304);"
       "     RAISE;"
       "   END;"
       "   PERFORM pg_advisory_unlock_shared(7304);"
       "   RETURN watermark;"
       " END $$",
     },
     true},
    {15,
     {
       // Webhooks (API.md, Webhooks). An endpoint's row holds its delivery cursor; a
       // delivery's ordinal is its event's seq, one delivery per endpoint and event.
       "CREATE TABLE webhook_endpoints ("
       " id {key} PRIMARY KEY, tenant {key} NOT NULL, url TEXT NOT NULL,"
       " events TEXT NOT NULL, description TEXT NOT NULL, status TEXT NOT NULL,"
       " secret TEXT NOT NULL, deleted BIGINT NOT NULL, cursor_seq BIGINT NOT NULL,"
       " created_at BIGINT NOT NULL, ordinal BIGINT NOT NULL)",
       "CREATE INDEX webhook_endpoints_by_tenant ON webhook_endpoints (tenant, ordinal)",
       "CREATE TABLE webhook_deliveries ("
       " id {key} PRIMARY KEY, endpoint_id {key} NOT NULL, tenant {key} NOT NULL,"
       " event TEXT NOT NULL, status TEXT NOT NULL, attempts BIGINT NOT NULL,"
       " last_status_code BIGINT NOT NULL, next_attempt_at BIGINT NOT NULL,"
       " first_attempt_at BIGINT NOT NULL, created_at BIGINT NOT NULL,"
       " ordinal BIGINT NOT NULL)",
       "CREATE UNIQUE INDEX webhook_deliveries_by_endpoint"
       " ON webhook_deliveries (endpoint_id, ordinal)",
     }},
    {16,
     {
       // The transfer row is the ledger (docs/ARCHITECTURE.md, "the lean write path"): it
       // carries each side's position in its account and balance after it, and a new
       // transfer writes no entry rows. An account's entries, and its transfers, are read
       // through the partial indexes by (account, position); entries written before stay
       // in `entries` (their ids are known to clients), below every position issued
       // since, and transfers written before keep an index by (account, ordinal).
       "ALTER TABLE transfers ADD COLUMN from_position BIGINT",
       "ALTER TABLE transfers ADD COLUMN to_position BIGINT",
       "ALTER TABLE transfers ADD COLUMN from_balance_after BIGINT",
       "ALTER TABLE transfers ADD COLUMN to_balance_after BIGINT",
       "CREATE INDEX transfers_debits ON transfers (from_account, from_position)"
       " WHERE from_position IS NOT NULL",
       "CREATE INDEX transfers_credits ON transfers (to_account, to_position)"
       " WHERE to_position IS NOT NULL",
       "CREATE INDEX transfers_from_before ON transfers (from_account, ordinal)"
       " WHERE from_position IS NULL",
       "CREATE INDEX transfers_to_before ON transfers (to_account, ordinal)"
       " WHERE to_position IS NULL",
       "DROP INDEX transfers_from",
       "DROP INDEX transfers_to",
       // A transfer's sides as rows of `entries`; an entry's id is its transfer's with the
       // side: ent_<the transfer id after trf_>_d (debit) or _c (credit).
       "CREATE VIEW debit_entries AS SELECT 'ent_' || substr(id, 5) || '_d' AS id,"
       " from_account AS account_id, id AS transfer_id, order_id, kind, -amount AS amount,"
       " from_balance_after AS balance_after, settled_at AS created_at,"
       " from_position AS ordinal FROM transfers WHERE from_position IS NOT NULL",
       "CREATE VIEW credit_entries AS SELECT 'ent_' || substr(id, 5) || '_c' AS id,"
       " to_account AS account_id, id AS transfer_id, order_id, kind, amount,"
       " to_balance_after AS balance_after, settled_at AS created_at,"
       " to_position AS ordinal FROM transfers WHERE to_position IS NOT NULL",
       "CREATE VIEW ledger_entries AS"
       " SELECT id, account_id, transfer_id, order_id, kind, amount, balance_after,"
       " created_at, ordinal FROM entries"
       " UNION ALL SELECT * FROM debit_entries UNION ALL SELECT * FROM credit_entries",
       // The transfers out of and into an account, in the account's order (its position
       // as their ordinal).
       "CREATE VIEW transfers_out AS SELECT id, kind, from_account, to_account, from_tenant,"
       " to_tenant, order_id, amount, currency, description, created_at, settled_at,"
       " from_position AS ordinal FROM transfers WHERE from_position IS NOT NULL",
       "CREATE VIEW transfers_in AS SELECT id, kind, from_account, to_account, from_tenant,"
       " to_tenant, order_id, amount, currency, description, created_at, settled_at,"
       " to_position AS ordinal FROM transfers WHERE to_position IS NOT NULL",
     }},
    {17,
     {
       // The indexes by (account, position) key each side by its account's ordinal (a
       // number) instead of its id (text): a smaller index, cheaper to insert into
       // (docs/BENCHMARKS.md, "Numbers for keys"). A read finds the account's ordinal
       // first, so ordinals become unique: the system accounts, all created with 0, take
       // distinct negative ones (ensure_world_accounts goes on below the lowest).
       "UPDATE accounts SET ordinal = -(SELECT COUNT(*) FROM accounts AS earlier"
       " WHERE earlier.id <= accounts.id) WHERE ordinal = 0",
       "CREATE UNIQUE INDEX accounts_by_ordinal ON accounts (ordinal)",
       "DROP VIEW ledger_entries",
       "DROP VIEW debit_entries",
       "DROP VIEW credit_entries",
       "DROP VIEW transfers_out",
       "DROP VIEW transfers_in",
       "DROP INDEX transfers_debits",
       "DROP INDEX transfers_credits",
       "ALTER TABLE transfers ADD COLUMN from_account_ordinal BIGINT",
       "ALTER TABLE transfers ADD COLUMN to_account_ordinal BIGINT",
       "UPDATE transfers SET from_account_ordinal = (SELECT ordinal FROM accounts"
       " WHERE accounts.id = transfers.from_account) WHERE from_position IS NOT NULL",
       "UPDATE transfers SET to_account_ordinal = (SELECT ordinal FROM accounts"
       " WHERE accounts.id = transfers.to_account) WHERE to_position IS NOT NULL",
       "CREATE INDEX transfers_debits ON transfers (from_account_ordinal, from_position)"
       " WHERE from_position IS NOT NULL",
       "CREATE INDEX transfers_credits ON transfers (to_account_ordinal, to_position)"
       " WHERE to_position IS NOT NULL",
       // The views of migration 16, with the side's account ordinal.
       "CREATE VIEW debit_entries AS SELECT 'ent_' || substr(id, 5) || '_d' AS id,"
       " from_account AS account_id, id AS transfer_id, order_id, kind, -amount AS amount,"
       " from_balance_after AS balance_after, settled_at AS created_at,"
       " from_position AS ordinal, from_account_ordinal AS account_ordinal"
       " FROM transfers WHERE from_position IS NOT NULL",
       "CREATE VIEW credit_entries AS SELECT 'ent_' || substr(id, 5) || '_c' AS id,"
       " to_account AS account_id, id AS transfer_id, order_id, kind, amount,"
       " to_balance_after AS balance_after, settled_at AS created_at,"
       " to_position AS ordinal, to_account_ordinal AS account_ordinal"
       " FROM transfers WHERE to_position IS NOT NULL",
       "CREATE VIEW ledger_entries AS"
       " SELECT id, account_id, transfer_id, order_id, kind, amount, balance_after,"
       " created_at, ordinal FROM entries"
       " UNION ALL SELECT id, account_id, transfer_id, order_id, kind, amount, balance_after,"
       " created_at, ordinal FROM debit_entries"
       " UNION ALL SELECT id, account_id, transfer_id, order_id, kind, amount, balance_after,"
       " created_at, ordinal FROM credit_entries",
       "CREATE VIEW transfers_out AS SELECT id, kind, from_account, to_account, from_tenant,"
       " to_tenant, order_id, amount, currency, description, created_at, settled_at,"
       " from_position AS ordinal, from_account_ordinal AS account_ordinal"
       " FROM transfers WHERE from_position IS NOT NULL",
       "CREATE VIEW transfers_in AS SELECT id, kind, from_account, to_account, from_tenant,"
       " to_tenant, order_id, amount, currency, description, created_at, settled_at,"
       " to_position AS ordinal, to_account_ordinal AS account_ordinal"
       " FROM transfers WHERE to_position IS NOT NULL",
     }},
    {18,
     {
       // The ledger writer's check that the accounts a group changes are as its own
       // commits left them (persistence/known_accounts.hpp): the netted update names the
       // state it expects of each row and passes how many rows it found so; any other
       // count refuses the transaction, with a code of its own so that the writer tells
       // this refusal from the others and commits the group again by asking.
       "CREATE FUNCTION settle_expect_rows(expected_rows BIGINT, matching_rows BIGINT)"
       " RETURNS BIGINT LANGUAGE plpgsql AS $$"
       " BEGIN"
       "   IF matching_rows <> expected_rows THEN"
       "     RAISE EXCEPTION 'accounts changed behind the ledger writer: % of % as it expected',"
       "       matching_rows, expected_rows USING ERRCODE = 'SE001';"
       "   END IF;"
       "   RETURN matching_rows;"
       " END $$",
     },
     true},
  };
  return migrations;
}

int current_version(soci::session& session) {
  session << "CREATE TABLE IF NOT EXISTS schema_migrations ("
             " version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)";
  long long version = 0;
  soci::indicator indicator = soci::i_ok;
  session << "SELECT MAX(version) FROM schema_migrations", soci::into(version, indicator);
  return indicator == soci::i_ok ? static_cast<int>(version) : 0;
}

// Replaces every `placeholder` in `statement` with `replacement`.
std::string replace_all(std::string statement, const std::string& placeholder,
                        const std::string& replacement) {
  for (auto found = statement.find(placeholder); found != std::string::npos;
       found = statement.find(placeholder, found + replacement.size())) {
    statement.replace(found, placeholder.size(), replacement);
  }
  return statement;
}

// The dialect differences of the schema: how a column numbers itself, and the type of
// a key that compares byte by byte (SQLite's text always does; see migration 5).
std::string for_dialect(std::string statement, dialect kind) {
  bool sqlite = kind == dialect::sqlite;
  statement = replace_all(std::move(statement), "{sequence}",
                          sqlite ? "INTEGER PRIMARY KEY AUTOINCREMENT" : "BIGSERIAL PRIMARY KEY");
  return replace_all(std::move(statement), "{key}", sqlite ? "TEXT" : "TEXT COLLATE \"C\"");
}

void apply(soci::session& session, dialect kind, const migration& step) {
  soci::transaction transaction{session};
  if (!step.postgresql_only || kind == dialect::postgresql) {
    if (step.before_statements) {
      step.before_statements(session);
    }
    for (const char* statement : step.statements) {
      session << for_dialect(statement, kind);
    }
  }
  long long version = step.version;
  long long applied_at = now_milliseconds();
  session << "INSERT INTO schema_migrations (version, applied_at) VALUES (:v, :a)",
    soci::use(version), soci::use(applied_at);
  transaction.commit();
}

void ensure_world_accounts(soci::session& session, const std::vector<std::string>& currencies) {
  for (const auto& currency : currencies) {
    auto id = world_account_id(currency).value;
    long long created_at = now_milliseconds();
    session << "INSERT INTO accounts (id, tenant, user_id, currency, balance, held,"
               " overdraft_limit, status, created_at, ordinal)"
               " SELECT :id, :tenant, NULL, :currency, 0, 0, 0, 'open', :created_at,"
               " (SELECT COALESCE(MIN(ordinal), 0) FROM accounts WHERE ordinal < 0) - 1"
               " WHERE NOT EXISTS (SELECT 1 FROM accounts WHERE id = :same_id)",
      soci::use(id, "id"), soci::use(system_tenant.value, "tenant"), soci::use(currency, "currency"),
      soci::use(created_at, "created_at"), soci::use(id, "same_id");
  }
}

} // namespace

int latest_schema_version() {
  return all_migrations().back().version;
}

void migrate(soci::session& session, dialect kind, const std::vector<std::string>& currencies) {
  try {
    if (kind == dialect::postgresql) {
      // Several nodes may start at once: one migrates, the others wait for it.
      session << "SELECT pg_advisory_lock(" << advisory_lock_keys::migrations << ")";
    }
    int version = current_version(session);
    if (version > latest_schema_version()) {
      throw schema_too_new{"the database's schema is version " + std::to_string(version)
                           + ", newer than this build's "
                           + std::to_string(latest_schema_version())
                           + ": run the newer build (on every node of a cluster)"};
    }
    for (const auto& step : all_migrations()) {
      if (step.version > version) {
        apply(session, kind, step);
      }
    }
    ensure_world_accounts(session, currencies);
    if (kind == dialect::postgresql) {
      session << "SELECT pg_advisory_unlock(" << advisory_lock_keys::migrations << ")";
    }
  } catch (const storage_error&) {
    throw;
  } catch (const std::exception& error) {
    throw storage_error{std::string{"migration failed: "} + error.what()};
  }
}

} // namespace settle::persistence
