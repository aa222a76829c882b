// A tenant with a few rows among many of another tenant's is listed through the indexes
// made for it (the plan names them and reads no table whole), and its pages are exact:
// both sides of a transfer and of an event, in order, across pages.
#include "persistence/page_query.hpp"

#include "persistence/connection.hpp"
#include "persistence/migrations.hpp"
#include "persistence/text_rows.hpp"
#include "tests/unit/support/test_database.hpp"

#include <catch2/catch.hpp>
#include <soci/soci.h>

#include <string>
#include <vector>

namespace {

using namespace settle::persistence;
using settle::testing::test_database;

constexpr int rows_of_the_big_tenant = 20000;

// The big tenant's rows in bulk, and the small tenant's few: on one side, on the other.
void fill(soci::session& session, dialect kind) {
  std::string numbers = kind == dialect::postgresql
                          ? "SELECT generate_series(1, " + std::to_string(rows_of_the_big_tenant) + ") AS n"
                          : "WITH RECURSIVE counter(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM counter"
                            " WHERE n < " + std::to_string(rows_of_the_big_tenant) + ") SELECT n FROM counter";
  session << "INSERT INTO transfers (id, kind, from_account, to_account, from_tenant, to_tenant,"
             " amount, currency, description, created_at, settled_at, ordinal)"
             " SELECT 'trf_big' || n, 'transfer', 'acc_a', 'acc_b', 'big', 'big', 1, 'USD', '', 0, 0, n"
             " FROM (" + numbers + ") AS numbers";
  session << "INSERT INTO events (name, tenants, topics, object, at, tenant)"
             " SELECT 'transfer.settled', ' big ', ' x ', '{}', 0, 'big' FROM (" + numbers + ") AS numbers";
  for (int index = 0; index < 3; ++index) {
    auto number = std::to_string(index);
    session << "INSERT INTO transfers (id, kind, from_account, to_account, from_tenant, to_tenant,"
               " amount, currency, description, created_at, settled_at, ordinal) VALUES"
               " ('trf_out" + number + "', 'transfer', 'acc_s', 'acc_b', 'small', 'big', 1, 'USD', '', 0, 0, "
               + std::to_string(100000 + 2 * index) + "),"
               " ('trf_in" + number + "', 'transfer', 'acc_a', 'acc_s', 'big', 'small', 1, 'USD', '', 0, 0, "
               + std::to_string(100001 + 2 * index) + ")";
    session << "INSERT INTO events (name, tenants, topics, object, at, tenant, other_tenant) VALUES"
               " ('transfer.settled', ' small big ', ' x ', '{}', 0, 'small', 'big'),"
               " ('transfer.settled', ' big small ', ' x ', '{}', 0, 'big', 'small')";
  }
  if (kind == dialect::postgresql) {
    session << "ANALYZE";
  }
}

std::string plan_of(soci::session& session, dialect kind, const std::string& sql,
                    const bound_values& bound) {
  auto explain = kind == dialect::postgresql ? "EXPLAIN " : "EXPLAIN QUERY PLAN ";
  auto rows = query_bound(session, kind, explain + sql, bound.values());
  std::string plan;
  for (std::size_t index = 0; index < rows.size(); ++index) {
    plan += rows[index].text(kind == dialect::postgresql ? 0 : 3) + "\n";
  }
  return plan;
}

void reads_through_the_indexes(const test_database& database) {
  auto kind = database.url().kind;
  auto session = open_session(database.url());
  migrate(*session, kind, {"USD"});
  fill(*session, kind);
  bool postgresql = kind == dialect::postgresql;
  // A read of a whole table (SQLite's "SCAN part_0" reads a merged part, not a table).
  auto whole = [postgresql](const std::string& table) {
    return (postgresql ? "Seq Scan on " : "SCAN ") + table;
  };

  bound_values event_values;
  event_query events{"small", 0, 20};
  auto event_sql = page_sql("events", event_columns, events_scope(event_values, events), "seq",
                            event_values.bind(std::int64_t{21}));
  auto event_plan = plan_of(*session, kind, event_sql, event_values);
  INFO(event_plan);
  CHECK(event_plan.find("events_by_tenant") != std::string::npos);
  CHECK(event_plan.find("events_by_other_tenant") != std::string::npos);
  CHECK(event_plan.find(whole("events")) == std::string::npos);

  bound_values transfer_values;
  list_query transfers{"small", "", 20, "", ""};
  auto transfer_sql = page_sql("transfers", "id, ordinal", transfers_scope(transfer_values, transfers),
                               "ordinal DESC", transfer_values.bind(std::int64_t{21}));
  auto transfer_plan = plan_of(*session, kind, transfer_sql, transfer_values);
  INFO(transfer_plan);
  CHECK(transfer_plan.find("transfers_by_from_tenant") != std::string::npos);
  CHECK(transfer_plan.find("transfers_by_to_tenant") != std::string::npos);
  CHECK(transfer_plan.find(whole("transfers")) == std::string::npos);
}

void pages_are_exact(const test_database& database) {
  auto kind = database.url().kind;
  {
    auto session = open_session(database.url());
    migrate(*session, kind, {"USD"});
    fill(*session, kind);
  }
  store_reader reader{database.url()};
  auto first = reader.list_transfers(list_query{"small", "", 4, "", ""});
  REQUIRE(first.items.size() == 4);
  CHECK(first.has_more);
  std::vector<std::string> ids;
  for (const auto& transfer : first.items) {
    ids.push_back(transfer.id.value);
  }
  CHECK(ids == std::vector<std::string>{"trf_in2", "trf_out2", "trf_in1", "trf_out1"});
  auto second = reader.list_transfers(list_query{"small", "trf_out1", 4, "", ""});
  REQUIRE(second.items.size() == 2);
  CHECK(second.items[0].id.value == "trf_in0");
  CHECK(second.items[1].id.value == "trf_out0");
  CHECK_FALSE(second.has_more);

  auto events = reader.list_events(event_query{"small", 0, 100});
  REQUIRE(events.events.size() == 6);
  for (std::size_t index = 1; index < events.events.size(); ++index) {
    CHECK(events.events[index - 1].seq < events.events[index].seq);
  }
  auto after = reader.list_events(event_query{"small", events.events[2].seq, 2});
  REQUIRE(after.events.size() == 2);
  CHECK(after.events[0].seq == events.events[3].seq);
  CHECK(after.has_more);
}

} // namespace

TEST_CASE("tenant-scoped pages read through their indexes, on SQLite", "[store_reader][sql]") {
  settle::testing::run_on_sqlite(reads_through_the_indexes);
}

TEST_CASE("tenant-scoped pages read through their indexes, on PostgreSQL", "[store_reader][sql]") {
  settle::testing::run_on_postgresql(reads_through_the_indexes);
}

TEST_CASE("tenant-scoped pages are exact across both sides, on SQLite", "[store_reader][sql]") {
  settle::testing::run_on_sqlite(pages_are_exact);
}

TEST_CASE("tenant-scoped pages are exact across both sides, on PostgreSQL", "[store_reader][sql]") {
  settle::testing::run_on_postgresql(pages_are_exact);
}
