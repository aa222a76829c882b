// One node's actors on a real SQLite file, driven the way the HTTP ingress drives them:
// a command goes to the gateway with `execute_atom`, and the reply callback's answer is
// awaited here with a timeout. The node is stopped and awaited when the object goes.
#pragma once

#include "actors/node.hpp"
#include "config/options.hpp"

#include <boost/json/value.hpp>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>

#include <chrono>
#include <future>
#include <optional>
#include <string>

namespace settle::testing {

// The options of a node on the SQLite file at `database_path`, with the default currencies.
config::node_options sqlite_node_options(const std::string& database_path);

class test_node {
public:
  explicit test_node(const config::node_options& options);
  ~test_node();
  test_node(const test_node&) = delete;
  test_node& operator=(const test_node&) = delete;

  // Sends the command to the gateway and returns the future of its answer.
  std::future<api_response> send(const requester& who, command request,
                                 std::optional<idempotency_claim> idempotency = std::nullopt);

  // Sends the command and waits for the answer; throws when none comes in time.
  api_response execute(const requester& who, command request,
                       std::optional<idempotency_claim> idempotency = std::nullopt);

private:
  caf::actor_system_config configuration_;
  std::optional<caf::actor_system> system_;
  node_actors actors_;
};

// Waits for an answer; throws std::runtime_error when none comes within the timeout.
api_response await_answer(std::future<api_response>& answer,
                          std::chrono::seconds timeout = std::chrono::seconds{20});

// The body of an answer, parsed; throws when it is not a JSON object.
boost::json::object body_of(const api_response& answer);

// The string field `name` of a JSON object.
std::string text_of(const boost::json::object& object, const char* name);

// The integer field `name` of a JSON object.
std::int64_t integer_of(const boost::json::object& object, const char* name);

} // namespace settle::testing
