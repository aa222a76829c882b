// Webhook endpoints and their deliveries (API.md, Webhooks): what a tenant registers,
// and what became of each event sent to it. Plain values; the endpoint's actor owns
// both and persistence stores them.
#pragma once

#include "domain/ids.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace settle {

enum class webhook_status : std::uint8_t { enabled, disabled };

// A tenant registers at most this many endpoints: each one reads the tenant's log and
// holds a connection, so their number is what a tenant's events cost the node.
inline constexpr std::int64_t maximum_webhook_endpoints = 16;

struct webhook_endpoint_record {
  webhook_endpoint_id id;
  tenant_name tenant;
  std::string url;
  std::vector<std::string> events; // filters (see webhook_events.hpp)
  std::string description;
  webhook_status status = webhook_status::enabled;
  std::string secret; // whsec_...: shown to the client once, at creation
  bool deleted = false;
  // The last seq of the tenant's log delivered, given up on, or skipped by the filters:
  // delivery resumes after it, on whichever node, after any crash.
  std::int64_t cursor = 0;
  std::int64_t created_at = 0; // milliseconds since the epoch
  std::int64_t ordinal = 0;
};

enum class delivery_status : std::uint8_t { pending, succeeded, failed };

// One event sent (or being sent) to one endpoint. Its ordinal is the event's seq, so
// deliveries list newest first by the log's order.
struct webhook_delivery_record {
  webhook_delivery_id id;
  webhook_endpoint_id endpoint_id;
  tenant_name tenant;
  std::int64_t event_seq = 0;
  std::string event; // the event's name
  delivery_status status = delivery_status::pending;
  std::int64_t attempts = 0;
  std::int64_t last_status_code = 0; // 0: no HTTP answer yet (null)
  std::int64_t next_attempt_at = 0;  // milliseconds since the epoch; 0: none (null)
  std::int64_t first_attempt_at = 0; // the retry window counts from it
  std::int64_t created_at = 0;
};

const char* to_string(webhook_status status) noexcept;
const char* to_string(delivery_status status) noexcept;
std::optional<webhook_status> parse_webhook_status(std::string_view text) noexcept;
std::optional<delivery_status> parse_delivery_status(std::string_view text) noexcept;

// The filters as stored: names joined by commas (no filter holds a comma).
std::string join_filters(const std::vector<std::string>& filters);
std::vector<std::string> split_filters(std::string_view stored);

} // namespace settle
