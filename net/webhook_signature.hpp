// The signature of a webhook request (API.md, Webhooks): `Settle-Signature: t=<unix
// seconds>,v1=<hex>`, where <hex> is HMAC-SHA256 with the endpoint's secret over
// "<t>.<body bytes>". The sender signs; the receiver in examples/ and the tests verify.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace settle::net {

// A receiver refuses a signature older (or newer) than this: a captured request cannot
// be replayed later.
inline constexpr std::chrono::seconds signature_tolerance{300};

// HMAC-SHA256 of `message` with `key`, as 64 lowercase hex digits.
std::string hmac_sha256_hex(std::string_view key, std::string_view message);

// The Settle-Signature header's value for `body` sent at `unix_seconds`.
std::string webhook_signature(std::string_view secret, std::int64_t unix_seconds,
                              std::string_view body);

// True when `header` is a Settle-Signature of `body` with `secret` whose time is within
// signature_tolerance of `now_unix_seconds`. The digest is compared in constant time.
bool verify_webhook_signature(std::string_view header, std::string_view secret,
                              std::string_view body, std::int64_t now_unix_seconds);

// A new endpoint secret: "whsec_" and 32 bytes from the operating system's generator as
// 64 hex digits.
std::string generate_webhook_secret();

} // namespace settle::net
