// The typed calls are one line each: a method, a target, a body, and the reader of the
// answer. What they share (headers, the Idempotency-Key, the retry loop, turning error
// answers into api_error) is in state::call.
#include "client/api_client.hpp"

#include "client/http_connection.hpp"
#include "client/idempotency_key.hpp"
#include "client/request_bodies.hpp"
#include "client/request_targets.hpp"
#include "client/resource_reading.hpp"
#include "client/retry_policy.hpp"

#include <boost/json/parse.hpp>

#include <thread>

namespace settle::client {

namespace json = boost::json;

namespace {

// The contract's error body, or — for an answer from something in front of the server
// that does not speak the contract (a proxy's 502 page) — the status and the text.
api_error error_from_answer(const http_answer& answer) {
  json::error_code parse_failure;
  auto body = json::parse(answer.body, parse_failure);
  if (!parse_failure && body.is_object()) {
    if (auto* details = body.get_object().if_contains("error"); details && details->is_object()) {
      return api_error(answer.status, read_error_details(details->get_object()));
    }
  }
  return api_error(answer.status, error_details{"", "", answer.body.substr(0, 200), std::nullopt});
}

attempt_outcome outcome_of(const http_answer& answer) {
  attempt_outcome outcome;
  outcome.status = answer.status;
  if (answer.retry_after) {
    outcome.retry_after_seconds = parse_retry_after(*answer.retry_after);
  }
  if (answer.status == 409) {
    outcome.error_code = error_from_answer(answer).code();
  }
  return outcome;
}

} // namespace

struct api_client::state {
  explicit state(client_options given)
      : options(std::move(given)), server(parse_base_url(options.base_url)),
        connection(server, options.request_timeout) {}

  client_options options;
  base_url server;
  http_connection connection;
  call_report last;

  // One call: attempts until an answer that is not retried, or the attempts are used up.
  json::object call(const std::string& method, const std::string& target, std::string body = {}) {
    auto request = build(method, target, std::move(body));
    for (int attempt = 1;; ++attempt) {
      last.attempts = attempt;
      std::optional<http_answer> answer;
      attempt_outcome outcome;
      std::string failure;
      try {
        answer = connection.exchange(request);
        last.status = answer->status;
        last.replayed = answer->replayed;
        if (answer->status >= 200 && answer->status < 300) {
          return parse_object(answer->body);
        }
        outcome = outcome_of(*answer);
      } catch (const http_failure& lost) {
        outcome.no_answer = true;
        outcome.stale_connection = lost.stale;
        failure = lost.what();
      }
      auto wait = wait_before_retry(options.retry, attempt, outcome);
      if (!wait) {
        give_up(method, target, answer, failure);
      }
      notify(method, target, attempt, outcome, answer ? error_code_of(*answer) : failure, *wait);
      std::this_thread::sleep_for(*wait);
    }
  }

  http_exchange build(const std::string& method, const std::string& target, std::string body) {
    http_exchange request{method, server.path_prefix + target, {}, std::move(body)};
    request.headers.emplace_back("Authorization", "Bearer " + options.api_key);
    last = call_report{};
    // Made once per call, before the first attempt: every retry below sends it again.
    if (method == "POST") {
      last.idempotency_key = new_idempotency_key();
      request.headers.emplace_back("Idempotency-Key", last.idempotency_key);
    }
    return request;
  }

  static std::string error_code_of(const http_answer& answer) {
    return error_from_answer(answer).code();
  }

  [[noreturn]] void give_up(const std::string& method, const std::string& target,
                            const std::optional<http_answer>& answer, const std::string& failure) {
    if (answer) {
      throw error_from_answer(*answer);
    }
    throw connection_error(method + " " + target + ": no answer after " + std::to_string(last.attempts)
                           + " attempt(s); last: " + failure);
  }

  void notify(const std::string& method, const std::string& target, int attempt,
              const attempt_outcome& outcome, const std::string& reason, std::chrono::milliseconds wait) {
    if (options.on_retry) {
      options.on_retry(retry_notice{method, target, attempt, outcome.status, reason, wait, last.idempotency_key});
    }
  }
};

api_client::api_client(client_options options) : state_(std::make_unique<state>(std::move(options))) {}
api_client::~api_client() = default;
api_client::api_client(api_client&&) noexcept = default;
api_client& api_client::operator=(api_client&&) noexcept = default;

const call_report& api_client::last_call() const { return state_->last; }
const client_options& api_client::options() const { return state_->options; }

user api_client::create_user(const new_user& fields) {
  return read_user(state_->call("POST", "/v1/users", user_body(fields)));
}

user api_client::get_user(const std::string& user_id) {
  return read_user(state_->call("GET", resource_target("users", user_id)));
}

page<user> api_client::list_users(const list_options& options) {
  return read_page(state_->call("GET", with_query("/v1/users", list_parameters(options))), &read_user);
}

user api_client::update_user(const std::string& user_id, const user_changes& changes) {
  return read_user(state_->call("PUT", resource_target("users", user_id), user_changes_body(changes)));
}

user api_client::delete_user(const std::string& user_id) {
  return read_user(state_->call("DELETE", resource_target("users", user_id)));
}

account api_client::create_account(const new_account& fields) {
  return read_account(state_->call("POST", "/v1/accounts", account_body(fields)));
}

account api_client::get_account(const std::string& account_id) {
  return read_account(state_->call("GET", resource_target("accounts", account_id)));
}

page<account> api_client::list_accounts(const std::string& user_id, const list_options& options) {
  auto parameters = list_parameters(options);
  parameters.emplace_back("user_id", user_id);
  return read_page(state_->call("GET", with_query("/v1/accounts", parameters)), &read_account);
}

account api_client::close_account(const std::string& account_id) {
  return read_account(state_->call("DELETE", resource_target("accounts", account_id)));
}

transfer api_client::deposit(const std::string& account_id, std::int64_t amount) {
  return read_transfer(state_->call("POST", resource_target("accounts", account_id, "/deposits"), amount_body(amount)));
}

transfer api_client::withdraw(const std::string& account_id, std::int64_t amount) {
  return read_transfer(
    state_->call("POST", resource_target("accounts", account_id, "/withdrawals"), amount_body(amount)));
}

page<entry> api_client::list_entries(const std::string& account_id, const list_options& options) {
  auto target = with_query(resource_target("accounts", account_id, "/entries"), list_parameters(options));
  return read_page(state_->call("GET", target), &read_entry);
}

transfer api_client::create_transfer(const new_transfer& fields) {
  return read_transfer(state_->call("POST", "/v1/transfers", transfer_body(fields)));
}

transfer api_client::get_transfer(const std::string& transfer_id) {
  return read_transfer(state_->call("GET", resource_target("transfers", transfer_id)));
}

page<transfer> api_client::list_transfers(const std::string& account_id, const list_options& options) {
  auto parameters = list_parameters(options);
  parameters.emplace_back("account", account_id);
  return read_page(state_->call("GET", with_query("/v1/transfers", parameters)), &read_transfer);
}

batch_result api_client::create_batch(const std::vector<new_transfer>& transfers, bool atomic) {
  return read_batch(state_->call("POST", "/v1/transfers/batch", batch_body(transfers, atomic)));
}

order api_client::create_order(const new_order& fields) {
  return read_order(state_->call("POST", "/v1/orders", order_body(fields)));
}

order api_client::get_order(const std::string& order_id) {
  return read_order(state_->call("GET", resource_target("orders", order_id)));
}

page<order> api_client::list_orders(const order_filter& filter, const list_options& options) {
  auto parameters = list_parameters(options);
  if (filter.account) {
    parameters.emplace_back("account", *filter.account);
  }
  if (filter.status) {
    parameters.emplace_back("status", *filter.status);
  }
  return read_page(state_->call("GET", with_query("/v1/orders", parameters)), &read_order);
}

order api_client::confirm_order(const std::string& order_id) {
  return read_order(state_->call("POST", resource_target("orders", order_id, "/confirm"), "{}"));
}

order api_client::capture_order(const std::string& order_id, std::optional<std::int64_t> amount) {
  return read_order(
    state_->call("POST", resource_target("orders", order_id, "/capture"), optional_amount_body(amount)));
}

order api_client::cancel_order(const std::string& order_id) {
  return read_order(state_->call("POST", resource_target("orders", order_id, "/cancel"), "{}"));
}

order api_client::refund_order(const std::string& order_id, std::optional<std::int64_t> amount) {
  return read_order(
    state_->call("POST", resource_target("orders", order_id, "/refunds"), optional_amount_body(amount)));
}

order api_client::update_order(const std::string& order_id, const std::string& description) {
  return read_order(state_->call("PUT", resource_target("orders", order_id), description_body(description)));
}

page<event> api_client::list_events(std::int64_t after_seq, std::optional<int> limit) {
  std::vector<std::pair<std::string, std::string>> parameters{{"after", std::to_string(after_seq)}};
  if (limit) {
    parameters.emplace_back("limit", std::to_string(*limit));
  }
  return read_page(state_->call("GET", with_query("/v1/events", parameters)), &read_event);
}

event_stream api_client::subscribe(stream_options options) const {
  return event_stream(state_->options, std::move(options));
}

} // namespace settle::client
