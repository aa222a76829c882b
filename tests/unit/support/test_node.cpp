// Starts the node as settled/main.cpp does, minus the HTTP ingress: the scheduler gets
// two threads, and the gateway renders answers with the ingress's JSON renderer.
#include "tests/unit/support/test_node.hpp"

#include "domain/currency.hpp"
#include "net/api_commands.hpp"
#include "net/json_renderer.hpp"
#include "tests/unit/support/metric_value.hpp"

#include <boost/json.hpp>
#include <caf/all.hpp>
#include <catch2/catch.hpp>

#include <memory>
#include <stdexcept>

namespace settle::testing {

config::node_options sqlite_node_options(const std::string& database_path) {
  config::node_options options;
  options.storage.url = "sqlite:" + database_path;
  options.currencies = default_currencies();
  return options;
}

test_node::test_node(const config::node_options& options) {
  configuration_.set("scheduler.max-threads", 2);
  net::set_accepted_currencies(options.currencies);
  system_.emplace(configuration_);
  try {
    actors_ = start_node(*system_, options, std::make_shared<net::json_renderer>());
  } catch (...) {
    system_.reset();
    throw;
  }
}

test_node::~test_node() {
  stop_node(*system_, actors_);
  actors_ = node_actors{};
  system_->await_all_actors_done();
  system_.reset();
}

std::future<api_response> test_node::send(const requester& who, command request,
                                          std::optional<idempotency_claim> idempotency) {
  auto promise = std::make_shared<std::promise<api_response>>();
  auto answer = promise->get_future();
  api_request message;
  message.who = who;
  message.idempotency = std::move(idempotency);
  message.command = std::move(request);
  message.reply = [promise](api_response response) { promise->set_value(std::move(response)); };
  caf::anon_send(actors_.gateway, execute_atom::value, std::move(message));
  return answer;
}

api_response test_node::execute(const requester& who, command request,
                                std::optional<idempotency_claim> idempotency) {
  auto answer = send(who, std::move(request), std::move(idempotency));
  return await_answer(answer);
}

api_response await_answer(std::future<api_response>& answer, std::chrono::seconds timeout) {
  if (answer.wait_for(timeout) != std::future_status::ready) {
    throw std::runtime_error{"the gateway did not answer within the timeout"};
  }
  return answer.get();
}

boost::json::object body_of(const api_response& answer) {
  auto value = boost::json::parse(answer.body);
  if (!value.is_object()) {
    throw std::runtime_error{"the answer's body is not a JSON object: " + answer.body};
  }
  return value.get_object();
}

std::string text_of(const boost::json::object& object, const char* name) {
  const auto& text = object.at(name).as_string();
  return std::string{text.data(), text.size()};
}

std::int64_t integer_of(const boost::json::object& object, const char* name) {
  return object.at(name).as_int64();
}

namespace {

// Executes the command and requires the status a success answers.
boost::json::object require_success(test_node& node, const requester& who, command request,
                                    unsigned expected_status) {
  auto answer = node.execute(who, std::move(request));
  INFO("answer " << answer.status << " " << answer.body);
  REQUIRE(answer.status == expected_status);
  return body_of(answer);
}

} // namespace

std::string create_user(test_node& node, const requester& who) {
  auto user = require_success(node, who, create_user_command{"Ada Lovelace", "ada@example.com"}, 201);
  return text_of(user, "id");
}

std::string open_account(test_node& node, const requester& who, const std::string& user_id,
                         const std::string& currency) {
  auto account = require_success(node, who, create_account_command{user_id, currency, 0}, 201);
  return text_of(account, "id");
}

void deposit(test_node& node, const requester& who, const std::string& account,
             std::int64_t amount) {
  require_success(node, who, external_movement_command{account, amount, true}, 201);
}

boost::json::object account_of(test_node& node, const requester& who, const std::string& account) {
  return require_success(node, who, get_account_command{account}, 200);
}

std::vector<boost::json::object> entries_of(test_node& node, const requester& who,
                                            const std::string& account) {
  std::vector<boost::json::object> entries;
  list_parameters page;
  page.limit = 100;
  constexpr int maximum_pages = 1000;
  for (int page_number = 0; page_number < maximum_pages; ++page_number) {
    auto list = require_success(node, who, list_entries_command{account, page}, 200);
    for (const auto& entry : list.at("data").as_array()) {
      entries.push_back(entry.as_object());
    }
    if (!list.at("has_more").as_bool()) {
      return entries;
    }
    page.starting_after = text_of(entries.back(), "id");
  }
  throw std::runtime_error{"the entries of " + account + " span more than 1000 pages"};
}

std::int64_t actors_gauge(const std::string& kind) {
  return metric_value("settle_actors{kind=\"" + kind + "\"}");
}

} // namespace settle::testing
