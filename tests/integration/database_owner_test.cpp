// One database, one owner (the contract's Trust boundary): a second settled on a database
// that a running node uses exits 2 with a line naming why, and the first serves on; a
// single node cannot join a database that a cluster uses either (the unit tests of
// persistence/database_lock cover the cluster's shared lock); and after PostgreSQL
// restarts (which ends the owner's lock) only one settled ever writes again. A build older
// than the database's schema does not write to it at all.
#include "tests/integration/harness/child_process.hpp"
#include "tests/integration/harness/private_postgres.hpp"
#include "tests/integration/harness/server_logs.hpp"
#include "tests/integration/harness/testing.hpp"

#include <chrono>
#include <thread>

using namespace settle::integration;

namespace {

// Runs another settled on the database and keys of `options` until it exits by itself.
finished_run run_second_settled(const process_options& options) {
  return run_to_exit({options.binary, "--http.listen=127.0.0.1:0", "--storage.url=" + options.storage_url,
                      "--auth.keys-file=" + options.keys_file, "--cluster.node-id=second"},
                     options.log_path + ".second", std::chrono::seconds(30));
}

// The second settled exited 2 before serving, with a line that says `why`.
void check_refused(const finished_run& second, const std::string& why) {
  INFO(second.log);
  CHECK(second.status.exited);
  CHECK(second.status.code == 2);
  CHECK(second.log.find(why) != std::string::npos);
  CHECK(second.log.find("listening on") == std::string::npos);
}

}  // namespace

TEST_CASE("a second settled on a database in use exits 2 and the first is unaffected", "[owner]") {
  auto& server = shared_server();
  auto& acme = server.acme();
  const auto account = funded_account(acme, 700);
  check_refused(run_second_settled(server.process().options()), "in use");
  // The first node serves on, with its money where it was.
  CHECK(balance_of(acme, account) == 700);
  CHECK_STATUS(acme.post("/v1/users", boost::json::object{{"name", "Still here"}, {"email", unique_email()}}), 201);
}

// The owner's lock ends with its connection, so after PostgreSQL restarts another settled
// may start on the database. Each connection that writes takes the writers' lock again
// before it writes anything, so only one of the two ever writes again.
TEST_CASE("after PostgreSQL restarts, one settled writes to the database, never two", "[owner][slow]") {
  if (storage_kind_from_environment() != "postgresql") {
    return; // the PostgreSQL suite runs it, on a server of its own
  }
  private_postgres database;
  test_server first{{}, database.url()};
  const auto account = funded_account(first.acme(), 700);
  database.stop("fast");
  database.start();

  SECTION("the running node writes first: a second settled exits 2") {
    // The first deposit after the restart may find the connection gone (503, nothing
    // applied); the writer then connects again and takes the lock.
    bool deposited = false;
    for (int attempt = 0; attempt < 60 && !deposited; ++attempt) {
      deposited = first.acme().post("/v1/accounts/" + account + "/deposits",
                                    boost::json::object{{"amount", 5}}).status == 201;
    }
    REQUIRE(deposited);
    check_refused(run_second_settled(first.process().options()), "one database has one owner");
    CHECK(balance_of(first.acme(), account) == 705);
    CHECK_STATUS(first.acme().post("/v1/accounts/" + account + "/deposits", boost::json::object{{"amount", 5}}), 201);
    CHECK(balance_of(first.acme(), account) == 710);
  }

  SECTION("a second settled starts first: the running node stops before it writes again") {
    test_server second{{}, database.url()};
    // Answered 503, or not at all: the node stops as soon as its writer finds out.
    unsigned refused_status = 0;
    try {
      refused_status = first.acme().post("/v1/accounts/" + account + "/deposits",
                                         boost::json::object{{"amount", 5}}).status;
    } catch (const std::exception& no_answer) {
      INFO(no_answer.what());
    }
    CHECK(refused_status != 201);
    bool stopped = false;
    for (int wait = 0; wait < 300 && !stopped; ++wait) {
      stopped = !first.process().running();
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    const auto log = tail_of_file(first.process().options().log_path, 1000);
    INFO(log);
    CHECK(stopped);
    CHECK(log.find("another settled writes to this database now") != std::string::npos);
    // Nothing of the refused deposit was written; the second node serves the money.
    CHECK(balance_of(second.acme(), account) == 700);
    CHECK_STATUS(second.acme().post("/v1/accounts/" + account + "/deposits", boost::json::object{{"amount", 5}}), 201);
    CHECK(balance_of(second.acme(), account) == 705);
    CHECK(audit(second.admin()).at("ok") == true);
  }
}

// An older build would write rows without what the newer schema's reads rely on (the
// keys of its indexes), so it stops before it serves: a cluster is upgraded by stopping
// its old nodes, not by mixing versions.
TEST_CASE("a settled older than its database's schema exits 2 before it serves",
          "[owner][slow]") {
  if (storage_kind_from_environment() != "postgresql") {
    return; // the PostgreSQL suite runs it, on a server of its own
  }
  private_postgres database;
  test_server first{{}, database.url()};
  const auto account = funded_account(first.acme(), 700);
  first.stop();
  database.query("INSERT INTO schema_migrations (version, applied_at)"
                 " SELECT MAX(version) + 1, 0 FROM schema_migrations");
  const auto transfers = database.query("SELECT count(*) FROM transfers");
  check_refused(run_second_settled(first.process().options()), "newer than this build's");
  CHECK(database.query("SELECT count(*) FROM transfers") == transfers);
  CHECK(database.query("SELECT balance FROM accounts WHERE id = '" + account + "'") == "700");
}
