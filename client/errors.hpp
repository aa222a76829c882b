// The errors of the Settle client library. Every call either returns its typed value or
// throws one of these; nothing is reported through return codes.
//
//   settle::client::error            the base: catch this to catch everything below
//   ├── api_error                    the server answered with the contract's error body
//   ├── connection_error             no answer could be had, even after the retries
//   └── protocol_error               an answer the contract does not allow
#pragma once

#include <optional>
#include <stdexcept>
#include <string>

namespace settle::client {

// The body of an API error: {"error": {"type", "code", "message", "param"}}. Also the
// per-item error of a batch.
struct error_details {
  std::string type;
  // The stable, machine-readable part: insufficient_funds, not_found, rate_limited, ...
  std::string code;
  // A human sentence; it may change between server versions, so never match on it.
  std::string message;
  // The request field the error is about, when there is one (e.g. "amount").
  std::optional<std::string> param;
};

class error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The server refused the request. After retries, also the last 429 or 503 answer.
class api_error : public error {
 public:
  api_error(unsigned status, error_details details);

  unsigned status() const { return status_; }
  const std::string& type() const { return details_.type; }
  const std::string& code() const { return details_.code; }
  const std::string& message() const { return details_.message; }
  const std::optional<std::string>& param() const { return details_.param; }
  const error_details& details() const { return details_; }

 private:
  unsigned status_;
  error_details details_;
};

// Connecting, sending or reading failed on every attempt the retry options allow. For a
// POST, whether the server applied it is unknown; calling again is not safe (a new call
// has a new Idempotency-Key), but the server applied it at most once.
class connection_error : public error {
 public:
  using error::error;
};

// The server's answer is not what the contract promises (not JSON, a field missing).
class protocol_error : public error {
 public:
  using error::error;
};

} // namespace settle::client
