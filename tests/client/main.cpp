// The Catch2 entry point of the client library's tests. Like the integration suite, it
// checks the environment (SETTLED_BINARY) once before any test, and prints the servers'
// logs of a failing test.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include "tests/integration/harness/server_logs.hpp"
#include "tests/integration/harness/test_server.hpp"

#include <cstdlib>
#include <iostream>

namespace settle::client_tests {

class server_log_reporter : public Catch::TestEventListenerBase {
 public:
  using TestEventListenerBase::TestEventListenerBase;

  void testRunStarting(const Catch::TestRunInfo& info) override {
    TestEventListenerBase::testRunStarting(info);
    if (auto problem = integration::environment_problem(); !problem.empty()) {
      std::cerr << "the client tests need a settled: " << problem << "\n";
      std::exit(EXIT_FAILURE);
    }
  }

  void testCaseStarting(const Catch::TestCaseInfo& info) override {
    TestEventListenerBase::testCaseStarting(info);
    integration::note_test_started();
  }

  bool assertionEnded(const Catch::AssertionStats& stats) override {
    if (!stats.assertionResult.isOk()) {
      integration::note_assertion_failed();
    }
    return TestEventListenerBase::assertionEnded(stats);
  }

  void testCaseEnded(const Catch::TestCaseStats& stats) override {
    integration::note_test_ended(stats.totals.assertions.failed > 0);
    TestEventListenerBase::testCaseEnded(stats);
  }
};

} // namespace settle::client_tests

// The macro pastes the name into an identifier, so it must be unqualified.
using settle::client_tests::server_log_reporter;
CATCH_REGISTER_LISTENER(server_log_reporter)
