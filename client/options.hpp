// How a client reaches the server and how hard it tries: the base URL, the key, the
// timeouts and the retry bounds.
#pragma once

#include <chrono>
#include <functional>
#include <string>

namespace settle::client {

// Which answers are tried again, and how long the client waits in between. A call is
// tried again after a connection failure (the same Idempotency-Key makes that safe for a
// POST), after 429 rate_limited and 503 unavailable (waiting what Retry-After says), and
// after 409 idempotency_key_in_use (the first attempt is still being processed).
struct retry_options {
  // Attempts per call, the first included; 1 turns retrying off.
  int max_attempts = 5;
  // No single wait is longer, whatever Retry-After says: the caller's thread is blocked
  // while the client waits, and a server asking for an hour must not block it for an hour.
  std::chrono::milliseconds max_wait{std::chrono::seconds(10)};
  // The wait after a failure that names none (a dropped connection, a 503 without
  // Retry-After); it doubles with every attempt, up to max_wait.
  std::chrono::milliseconds first_backoff{200};
};

// Told to the retry observer before each wait, e.g. for a log line.
struct retry_notice {
  std::string method;
  std::string target;
  // The attempt that failed, from 1.
  int attempt = 0;
  // The failed attempt's HTTP status, or 0 when no answer was read.
  unsigned status = 0;
  // The error code of the answer (rate_limited, ...) or what failed on the connection.
  std::string reason;
  std::chrono::milliseconds wait{0};
  // The key every attempt of this call carries; empty for calls other than POST.
  std::string idempotency_key;
};

struct client_options {
  // Scheme, host and port, optionally a path prefix: "http://127.0.0.1:8080". Only
  // http:// (and ws:// for the stream, derived from it) is supported.
  std::string base_url = "http://127.0.0.1:8080";
  std::string api_key;
  // Bounds one attempt: connecting, sending and reading the whole answer.
  std::chrono::milliseconds request_timeout{std::chrono::seconds(30)};
  retry_options retry;
  // Called before every wait between two attempts; may be empty.
  std::function<void(const retry_notice&)> on_retry;
};

} // namespace settle::client
