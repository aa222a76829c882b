// One database, one owner (the contract's Trust boundary): a second settled on a database
// that a running node uses exits 2 with a line naming why, and the first serves on; a
// single node cannot join a database that a cluster uses either (the unit tests of
// persistence/database_lock cover the cluster's shared lock).
#include "tests/integration/harness/child_process.hpp"
#include "tests/integration/harness/testing.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

using namespace settle::integration;

TEST_CASE("a second settled on a database in use exits 2 and the first is unaffected", "[owner]") {
  auto& server = shared_server();
  auto& acme = server.acme();
  const auto account = funded_account(acme, 700);
  const auto& options = server.process().options();
  const auto log_path = options.log_path + ".second";
  const int log = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  const int nothing = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  REQUIRE(log >= 0);
  REQUIRE(nothing >= 0);
  const auto pid = spawn_process({options.binary, "--http.listen=127.0.0.1:0", "--storage.url=" + options.storage_url,
                                  "--auth.keys-file=" + options.keys_file, "--cluster.node-id=second"},
                                 nothing, log, log);
  ::close(log);
  ::close(nothing);
  const auto status = wait_for_child(pid, std::chrono::seconds(30));
  std::ifstream output(log_path);
  std::stringstream text;
  text << output.rdbuf();
  INFO(text.str());
  CHECK(status.exited);
  CHECK(status.code == 2);
  CHECK(text.str().find("in use") != std::string::npos);
  CHECK(text.str().find("listening on") == std::string::npos);
  // The first node serves on, with its money where it was.
  CHECK(balance_of(acme, account) == 700);
  CHECK_STATUS(acme.post("/v1/users", boost::json::object{{"name", "Still here"}, {"email", unique_email()}}), 201);
}
