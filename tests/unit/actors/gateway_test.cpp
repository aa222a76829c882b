// Tests that request data cannot stop a node: a NUL byte that the ingress lets through
// must be answered with an error, not reach the SQL literals, whose SETTLE_ASSERT would
// abort the process. Each request runs on a fresh node in a child process.
#include "net/api_commands.hpp"
#include "tests/unit/support/child_process.hpp"
#include "tests/unit/support/temporary_directory.hpp"
#include "tests/unit/support/test_node.hpp"

#include <catch2/catch.hpp>

#include <string>

namespace {

using namespace std::string_literals;

// Builds the request as the ingress does and, unless the builder refuses it, executes
// it on a fresh node in a child process. "exit 0": refused with a 4xx answer (by the
// builder or by the node); "exit 1": accepted; "signal 6": the node aborted.
std::string outcome_in_child(settle::net::command_builder build, settle::net::route_input input) {
  settle::testing::temporary_directory directory;
  return settle::testing::run_in_child_process([&] {
    settle::net::set_accepted_currencies({"USD"});
    auto built = build(input);
    if (std::holds_alternative<settle::failure>(built)) {
      return 0;
    }
    settle::testing::test_node node{settle::testing::sqlite_node_options(directory.file("settle.db"))};
    auto answer = node.execute({"acme", false, {}}, std::get<settle::command>(built));
    return answer.status >= 400 && answer.status < 500 ? 0 : 1;
  });
}

settle::net::route_input with_body(const std::string& body) {
  settle::net::route_input input;
  input.body = body;
  return input;
}

} // namespace

TEST_CASE("a refused request runs in a child process and exits 0", "[actors][gateway]") {
  // The harness itself: an unknown transfer is 404, an accepted user creation is not.
  settle::net::route_input unknown_transfer;
  unknown_transfer.path_parameters = {"trf_unknown"};
  CHECK(outcome_in_child(settle::net::build_get_transfer, unknown_transfer) == "exit 0");
  CHECK(outcome_in_child(settle::net::build_create_user,
                         with_body(R"({"name":"Ada","email":"ada@example.com"})"))
        == "exit 1");
}

TEST_CASE("a NUL byte in a transfer id is answered, not fatal", "[actors][gateway]") {
  // GET /v1/transfers/trf_%00x once took the id to the storage reader unchecked.
  settle::net::route_input input;
  input.path_parameters = {"trf_\0x"s};
  CHECK(outcome_in_child(settle::net::build_get_transfer, input) == "exit 0");
}

TEST_CASE("a NUL byte in starting_after is answered, not fatal", "[actors][gateway]") {
  // GET /v1/users?starting_after=%00 once took the cursor to the storage reader unchecked.
  settle::net::route_input input;
  input.query = {{"starting_after", "usr_\0x"s}};
  CHECK(outcome_in_child(settle::net::build_list_users, input) == "exit 0");
}

TEST_CASE("a NUL byte in a user's name is answered, not fatal", "[actors][gateway]") {
  // POST /v1/users {"name":"a\u0000b"} once passed validate_name, which counted code
  // points only.
  CHECK(outcome_in_child(settle::net::build_create_user,
                         with_body(R"({"name":"a\u0000b","email":"ada@example.com"})"))
        == "exit 0");
}
