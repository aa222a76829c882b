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
#include <vector>

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

  // For tests that speak to the node's actors as another node would.
  caf::actor_system& system() { return *system_; }
  const node_actors& actors() const { return actors_; }

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

// -- steps through the gateway; each requires the answer a success has ------------

// Creates a user of the requester's tenant; returns its id.
std::string create_user(test_node& node, const requester& who);

// Opens an account of `user_id`; returns its id.
std::string open_account(test_node& node, const requester& who, const std::string& user_id,
                         const std::string& currency = "USD");

// Deposits `amount` into the account.
void deposit(test_node& node, const requester& who, const std::string& account,
             std::int64_t amount);

// The account as GET /v1/accounts/{id} answers it.
boost::json::object account_of(test_node& node, const requester& who, const std::string& account);

// Every ledger entry of the account, newest first, read page by page.
std::vector<boost::json::object> entries_of(test_node& node, const requester& who,
                                            const std::string& account);

// The value of `settle_actors{kind="<kind>"}` in the process's metrics, 0 when absent.
std::int64_t actors_gauge(const std::string& kind);

} // namespace settle::testing
