// What is retried: only failures where trying again can succeed and cannot apply a
// request twice (the Idempotency-Key covers the lost answers of a POST).
#include "client/retry_policy.hpp"

#include <algorithm>
#include <cctype>

namespace settle::client {

namespace {

bool retryable(const attempt_outcome& outcome) {
  if (outcome.no_answer) {
    return true;
  }
  if (outcome.status == 429 || outcome.status == 503) {
    return true;
  }
  // The first attempt of the same call is still being processed by the server: its
  // stored answer will be replayed once it is done.
  return outcome.status == 409 && outcome.error_code == "idempotency_key_in_use";
}

// first_backoff, doubled per attempt already made, capped by max_wait.
std::chrono::milliseconds backoff(const retry_options& options, int attempts_made) {
  auto wait = options.first_backoff;
  for (int doubling = 1; doubling < attempts_made && wait < options.max_wait; ++doubling) {
    wait *= 2;
  }
  return std::min(wait, options.max_wait);
}

} // namespace

std::optional<std::chrono::milliseconds> wait_before_retry(const retry_options& options,
                                                           int attempts_made,
                                                           const attempt_outcome& outcome) {
  if (attempts_made >= options.max_attempts || !retryable(outcome)) {
    return std::nullopt;
  }
  if (outcome.stale_connection) {
    return std::chrono::milliseconds{0};
  }
  if (outcome.retry_after_seconds) {
    // Capped: the caller's thread is blocked meanwhile, and the caller bounds that.
    auto asked = std::chrono::milliseconds{std::chrono::seconds{*outcome.retry_after_seconds}};
    return std::min(asked, options.max_wait);
  }
  return backoff(options, attempts_made);
}

std::optional<long long> parse_retry_after(const std::string& header) {
  if (header.empty() || header.size() > 9) {
    return std::nullopt;
  }
  long long seconds = 0;
  for (char digit : header) {
    if (!std::isdigit(static_cast<unsigned char>(digit))) {
      return std::nullopt;
    }
    seconds = seconds * 10 + (digit - '0');
  }
  return seconds;
}

} // namespace settle::client
