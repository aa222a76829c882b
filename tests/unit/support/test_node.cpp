// Starts the node as settled/main.cpp does, minus the HTTP ingress: the scheduler gets
// two threads, and the gateway renders answers with the ingress's JSON renderer.
#include "tests/unit/support/test_node.hpp"

#include "domain/currency.hpp"
#include "net/api_commands.hpp"
#include "net/json_renderer.hpp"

#include <boost/json.hpp>
#include <caf/all.hpp>

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

} // namespace settle::testing
