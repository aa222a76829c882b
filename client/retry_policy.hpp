// The decision after a failed attempt: try again, and after how long, or give up. Pure
// (no clock, no socket), so that its table is tested on its own.
#pragma once

#include "client/options.hpp"

#include <chrono>
#include <optional>
#include <string>

namespace settle::client {

struct attempt_outcome {
  // No answer was read: the connection failed, was cut, or timed out.
  bool no_answer = false;
  // The failure happened on a kept-alive connection that the server may have closed
  // while idle: worth one immediate attempt on a fresh connection.
  bool stale_connection = false;
  unsigned status = 0;
  // The error body's code, e.g. idempotency_key_in_use.
  std::string error_code;
  // The Retry-After header, in seconds, when the answer had one that parsed.
  std::optional<long long> retry_after_seconds;
};

// How long to wait before attempt `attempts_made + 1`, or empty when the call must end
// with this outcome (it was not a retryable failure, or the attempts are used up).
std::optional<std::chrono::milliseconds> wait_before_retry(const retry_options& options,
                                                           int attempts_made,
                                                           const attempt_outcome& outcome);

// The Retry-After header as whole seconds; empty for an HTTP date or garbage, which
// then count as "no advice".
std::optional<long long> parse_retry_after(const std::string& header);

} // namespace settle::client
