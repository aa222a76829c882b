// The retry decision's table, without a server: what is retried, how long the client
// waits, and that the attempts are bounded.
#include "tests/client/client_testing.hpp"

#include "client/retry_policy.hpp"

namespace settle::client_tests {

using namespace std::chrono_literals;

namespace {

client::attempt_outcome answered(unsigned status, std::string code = {}, std::optional<long long> after = {}) {
  client::attempt_outcome outcome;
  outcome.status = status;
  outcome.error_code = std::move(code);
  outcome.retry_after_seconds = after;
  return outcome;
}

client::attempt_outcome no_answer(bool stale = false) {
  client::attempt_outcome outcome;
  outcome.no_answer = true;
  outcome.stale_connection = stale;
  return outcome;
}

} // namespace

TEST_CASE("retry policy: what is retried", "[client][unit]") {
  client::retry_options options;
  CHECK(client::wait_before_retry(options, 1, no_answer()).has_value());
  CHECK(client::wait_before_retry(options, 1, answered(429, "rate_limited", 1)).has_value());
  CHECK(client::wait_before_retry(options, 1, answered(503, "unavailable")).has_value());
  CHECK(client::wait_before_retry(options, 1, answered(409, "idempotency_key_in_use")).has_value());
  CHECK_FALSE(client::wait_before_retry(options, 1, answered(409, "invalid_state")).has_value());
  CHECK_FALSE(client::wait_before_retry(options, 1, answered(402, "insufficient_funds")).has_value());
  CHECK_FALSE(client::wait_before_retry(options, 1, answered(500, "internal")).has_value());
  CHECK_FALSE(client::wait_before_retry(options, 1, answered(422, "invalid_parameter")).has_value());
}

TEST_CASE("retry policy: how long, and how often", "[client][unit]") {
  client::retry_options options;
  options.max_attempts = 4;
  options.first_backoff = 100ms;
  options.max_wait = 250ms;
  CHECK(client::wait_before_retry(options, 1, no_answer()) == 100ms);
  CHECK(client::wait_before_retry(options, 2, no_answer()) == 200ms);
  CHECK(client::wait_before_retry(options, 3, no_answer()) == 250ms); // capped
  CHECK_FALSE(client::wait_before_retry(options, 4, no_answer()).has_value()); // used up
  CHECK(client::wait_before_retry(options, 1, no_answer(true)) == 0ms); // an idle connection closed
  CHECK(client::wait_before_retry(options, 1, answered(429, "rate_limited", 0)) == 0ms);
  CHECK(client::wait_before_retry(options, 1, answered(503, "unavailable", 60)) == 250ms); // capped
}

TEST_CASE("retry policy: Retry-After is whole seconds or nothing", "[client][unit]") {
  CHECK(client::parse_retry_after("1") == 1);
  CHECK(client::parse_retry_after("120") == 120);
  CHECK_FALSE(client::parse_retry_after("").has_value());
  CHECK_FALSE(client::parse_retry_after("-1").has_value());
  CHECK_FALSE(client::parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT").has_value());
  CHECK_FALSE(client::parse_retry_after("99999999999").has_value());
}

} // namespace settle::client_tests
