// A `settled` on fresh storage with the suite's keys file, and clients for its keys.
// Most tests share one such server (shared_server()); tests that restart, crash or need an
// empty tenant make their own.
#pragma once

#include "tests/integration/harness/api_client.hpp"
#include "tests/integration/harness/settled_process.hpp"
#include "tests/integration/harness/test_storage.hpp"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace settle::integration {

// The keys file of every test server: one admin and three tenants, to test isolation.
inline const std::string admin_key = "sk_test_admin_7c1f0e";
inline const std::string acme_key = "sk_test_acme_42b9d3";
inline const std::string globex_key = "sk_test_globex_e85a10";
// A tenant whose name differs from acme's only in case: another tenant.
inline const std::string acme_upper_key = "sk_test_acme_upper_5d0c2e";

class test_server {
 public:
  // Creates a temporary folder, the storage and the keys file, and starts the server
  // with `extra_arguments` appended to its command line (e.g. "--auth.rate-limit=5"),
  // after the suite's own (SETTLE_TEST_SETTLED_ARGUMENTS).
  explicit test_server(std::vector<std::string> extra_arguments = {});
  // The same on storage that the caller made and owns (e.g. a private PostgreSQL).
  test_server(std::vector<std::string> extra_arguments, std::string storage_url);
  // Kills the server, drops the storage and removes the folder.
  ~test_server();
  test_server(const test_server&) = delete;
  test_server& operator=(const test_server&) = delete;

  // Kept-alive clients owned by the server object; they follow restarts.
  api_client& admin() { return client_for(admin_key); }
  api_client& acme() { return client_for(acme_key); }
  api_client& globex() { return client_for(globex_key); }
  api_client& acme_upper() { return client_for(acme_upper_key); }
  // No Authorization header at all.
  api_client& anonymous() { return client_for(""); }

  // A new client with its own connection, for another thread; it does not follow restarts.
  std::unique_ptr<api_client> new_client(const std::string& key) const;

  settled_process& process() { return *process_; }
  // The value of --storage.url the server runs on.
  std::string storage_url() const { return storage_->url(); }
  std::uint16_t port() const { return process_->port(); }

  exit_status stop() { return process_->stop(); }
  exit_status kill() { return process_->kill(); }
  // Starts again on the same storage and keys; the owned clients move to the new port.
  void start();

 private:
  api_client& client_for(const std::string& key);

  std::string directory_;
  std::unique_ptr<test_storage> storage_;
  std::unique_ptr<settled_process> process_;
  std::map<std::string, std::unique_ptr<api_client>> clients_;
};

// The pieces of a test server, shared with the cluster harness:
// the executable named by SETTLED_BINARY (throws when it names nothing),
std::string settled_binary();
// a new folder under the system's temporary folder,
std::string make_temporary_directory();
// and the keys file above, written into `directory`; returns its path.
std::string write_keys_file(const std::string& directory);

// What is wrong with the environment the suite runs in (SETTLED_BINARY, the storage
// variables), or an empty string: checked once before any test, so that a missing variable
// is one clear message instead of a failure in every test.
std::string environment_problem();

// The server most tests use, started on first use. Tests create their own users and
// accounts on it, so they do not depend on each other. If an earlier test killed it, a new
// one is started so that one crash does not fail every later test.
test_server& shared_server();

}  // namespace settle::integration
