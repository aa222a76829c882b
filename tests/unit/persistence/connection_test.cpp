// Tests the PostgreSQL connection's defaults: a connect timeout and TCP keepalives are
// set (libpq has neither by default, so a silent database hung the node), and a URL's own
// setting wins over the default.
#include "persistence/connection.hpp"

#include "persistence/text_query.hpp"
#include "tests/unit/support/test_database.hpp"

#include <catch2/catch.hpp>
#include <soci/soci.h>

#include <libpq-fe.h>

#include <map>
#include <memory>
#include <string>

namespace {

// The connection's settings as libpq reports them.
std::map<std::string, std::string> settings_of(soci::session& session) {
  std::map<std::string, std::string> settings;
  PQconninfoOption* options = PQconninfo(settle::persistence::postgresql_connection(session));
  for (auto* option = options; option != nullptr && option->keyword != nullptr; ++option) {
    if (option->val != nullptr) {
      settings[option->keyword] = option->val;
    }
  }
  PQconninfoFree(options);
  return settings;
}

void connections_have_timeouts(const settle::testing::test_database& database) {
  auto url = database.url();
  auto session = settle::persistence::open_session(url);
  auto settings = settings_of(*session);
  CHECK(settings["connect_timeout"] == "10");
  CHECK(settings["keepalives"] == "1");
  CHECK(settings["keepalives_idle"] == "30");
  CHECK(settings["tcp_user_timeout"] == "60000");
  url.connection += " connect_timeout=3";
  auto own = settle::persistence::open_session(url);
  CHECK(settings_of(*own)["connect_timeout"] == "3");
}

} // namespace

TEST_CASE("PostgreSQL connections time out and keep alive; the URL's settings win",
          "[connection][postgresql]") {
  settle::testing::run_on_postgresql(connections_have_timeouts);
}
