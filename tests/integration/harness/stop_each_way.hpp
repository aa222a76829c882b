// The two ways a node stops that a durable server must survive, for tests that check
// what is still there after a restart.
#pragma once

#include <catch2/catch.hpp>

#include "tests/integration/harness/test_server.hpp"

namespace settle::integration {

// Stops `server` one way per run of the calling test case (each a Catch SECTION): a clean
// stop with SIGTERM, which must exit 0, and kill -9. The test then starts it again.
inline void stop_each_way(test_server& server) {
  SECTION("a clean stop with SIGTERM") {
    const auto status = server.stop();
    INFO("settled " << status.describe());
    CHECK(status.clean());
  }
  SECTION("kill -9") { server.kill(); }
}

} // namespace settle::integration
