// Everything a test file needs: Catch2, the checks, the JSON and ledger helpers, and the
// test servers.
#pragma once

#include <catch2/catch.hpp>

#include "tests/integration/harness/expectations.hpp"
#include "tests/integration/harness/json_helpers.hpp"
#include "tests/integration/harness/ledger_helpers.hpp"
#include "tests/integration/harness/test_server.hpp"
