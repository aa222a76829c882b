// The Catch2 entry point of the integration tests, with a listener that prints the
// servers' logs of a failing test.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include "tests/integration/harness/server_logs.hpp"
#include "tests/integration/harness/test_server.hpp"

#include <cstdlib>
#include <iostream>

namespace settle::integration {

class server_log_listener : public Catch::TestEventListenerBase {
 public:
  using TestEventListenerBase::TestEventListenerBase;

  void testRunStarting(const Catch::TestRunInfo& info) override {
    TestEventListenerBase::testRunStarting(info);
    const auto problem = environment_problem();
    if (!problem.empty()) {
      std::cerr << "settle integration tests cannot run: " << problem << "\n";
      std::exit(EXIT_FAILURE);
    }
  }

  void testCaseStarting(const Catch::TestCaseInfo& info) override {
    TestEventListenerBase::testCaseStarting(info);
    note_test_started();
  }

  bool assertionEnded(const Catch::AssertionStats& stats) override {
    if (!stats.assertionResult.isOk()) {
      note_assertion_failed();
    }
    return TestEventListenerBase::assertionEnded(stats);
  }

  void testCaseEnded(const Catch::TestCaseStats& stats) override {
    note_test_ended(stats.totals.assertions.failed > 0);
    TestEventListenerBase::testCaseEnded(stats);
  }
};

}  // namespace settle::integration

// The macro pastes the name into an identifier, so it must be unqualified.
using settle::integration::server_log_listener;
CATCH_REGISTER_LISTENER(server_log_listener)
