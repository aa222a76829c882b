// The reader binds every value: ids, tenants, keys and filters with quotes, backslashes,
// "$1 $$", LIKE wildcards, non-ASCII and SQL that would run if spliced are found exactly
// as stored, on SQLite and on a PostgreSQL database whose sessions have
// standard_conforming_strings off (where a spliced backslash would change a statement).
#include "persistence/store_reader.hpp"

#include "persistence/connection.hpp"
#include "persistence/migrations.hpp"
#include "tests/unit/support/hostile_values.hpp"
#include "tests/unit/support/test_database.hpp"

#include <catch2/catch.hpp>
#include <soci/soci.h>

#include <string>
#include <vector>

namespace {

using settle::persistence::list_query;
using settle::persistence::store_reader;
using settle::testing::test_database;

const std::vector<std::string>& hostile_tenants = settle::testing::hostile_values;

// Rows put in with SOCI's own bound values, as a test's set-up (not the code under test).
void store_user(soci::session& session, const std::string& id, const std::string& tenant,
                long long ordinal) {
  std::string name = "N'" + tenant;
  std::string email = "e@example.com";
  long long created_at = 1;
  session << "INSERT INTO users (id, tenant, name, email, deleted, created_at, ordinal)"
             " VALUES (:id, :tenant, :name, :email, 0, :created_at, :ordinal)",
    soci::use(id, "id"), soci::use(tenant, "tenant"), soci::use(name, "name"),
    soci::use(email, "email"), soci::use(created_at, "created_at"), soci::use(ordinal, "ordinal");
}

void store_event(soci::session& session, const std::string& tenant, const std::string& topic) {
  std::string name = "user.created";
  std::string tenants = " " + tenant + " ";
  std::string topics = " " + topic + " ";
  std::string object = "{}";
  long long at = 1;
  session << "INSERT INTO events (name, tenants, topics, object, at, tenant)"
             " VALUES (:name, :tenants, :topics, :object, :at, :tenant)",
    soci::use(name, "name"), soci::use(tenants, "tenants"), soci::use(topics, "topics"),
    soci::use(object, "object"), soci::use(at, "at"), soci::use(tenant, "tenant");
}

void store_answer(soci::session& session, const std::string& tenant, const std::string& key) {
  std::string fingerprint = "f";
  std::string body = "{\"ok\":\"it's\"}";
  long long status = 201;
  long long created_at = 1;
  session << "INSERT INTO idempotency_keys (tenant, idempotency_key, fingerprint, status, body,"
             " created_at) VALUES (:tenant, :key, :fingerprint, :status, :body, :created_at)",
    soci::use(tenant, "tenant"), soci::use(key, "key"), soci::use(fingerprint, "fingerprint"),
    soci::use(status, "status"), soci::use(body, "body"), soci::use(created_at, "created_at");
}

void finds_hostile_values_exactly(const test_database& database) {
  {
    auto session = settle::persistence::open_session(database.url());
    settle::persistence::migrate(*session, database.url().kind, {"USD"});
    for (std::size_t index = 0; index < hostile_tenants.size(); ++index) {
      const auto& tenant = hostile_tenants[index];
      store_user(*session, "usr_" + std::to_string(index), tenant, static_cast<long long>(index + 1));
      store_event(*session, tenant, "usr_" + std::to_string(index));
      store_answer(*session, tenant, tenant + " key");
    }
    if (database.url().kind == settle::persistence::dialect::postgresql) {
      std::string name;
      *session << "SELECT current_database()", soci::into(name);
      *session << "ALTER DATABASE \"" + name + "\" SET standard_conforming_strings = off";
    }
  }
  store_reader reader{database.url()}; // a new session: standard_conforming_strings off
  for (std::size_t index = 0; index < hostile_tenants.size(); ++index) {
    const auto& tenant = hostile_tenants[index];
    INFO(tenant);
    list_query users;
    users.tenant = settle::tenant_name{tenant};
    auto page = reader.list_users(users);
    REQUIRE(page.items.size() == 1);
    CHECK(page.items[0].tenant.value == tenant);
    CHECK(page.items[0].name == "N'" + tenant);
    users.starting_after = page.items[0].id.value;
    CHECK(reader.list_users(users).items.empty());
    CHECK(reader.find_user(settle::user_id{"usr_" + std::to_string(index)})->tenant.value == tenant);
    auto answer = reader.find_idempotency_record(settle::tenant_name{tenant}, tenant + " key");
    REQUIRE(answer.has_value());
    CHECK(answer->body == "{\"ok\":\"it's\"}");
    settle::persistence::event_query events;
    events.tenant = settle::tenant_name{tenant};
    auto event_page = reader.list_events(events);
    REQUIRE(event_page.events.size() == 1); // LIKE's % and _ in a tenant match only themselves
    CHECK(event_page.events[0].topics == std::vector<std::string>{"usr_" + std::to_string(index)});
  }
  CHECK_FALSE(reader.find_user(settle::user_id{"usr_0' OR '1'='1"}).has_value());
}

} // namespace

TEST_CASE("the reader finds hostile values exactly on SQLite", "[store_reader][sql]") {
  settle::testing::run_on_sqlite(finds_hostile_values_exactly);
}

TEST_CASE("the reader finds hostile values exactly on PostgreSQL without standard strings",
          "[store_reader][sql]") {
  settle::testing::run_on_postgresql(finds_hostile_values_exactly);
}
