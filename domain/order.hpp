// Orders (payment intents): their record, their states, and the one table of which
// action is allowed in which state (API.md, Orders).
#pragma once

#include "domain/records.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace settle {

enum class order_status : std::uint8_t {
  created,
  authorized,
  settled,
  failed,
  cancelled,
  expired,
  partially_refunded,
  refunded,
};

enum class capture_method : std::uint8_t { automatic, manual };

enum class order_action : std::uint8_t { confirm, capture, cancel, refund, expire };

inline constexpr std::int64_t default_authorization_ttl_seconds = 600;
inline constexpr std::int64_t maximum_authorization_ttl_seconds = 7 * 24 * 3600;

struct order_record {
  order_id id;
  tenant_name tenant;
  account_id payer_account;
  account_id payee_account;
  tenant_name payee_tenant; // the payee account's tenant: it sees the order and alone refunds it
  std::int64_t amount = 0;
  std::string currency;
  settle::capture_method capture = capture_method::automatic;
  order_status status = order_status::created;
  std::int64_t amount_authorized = 0;
  std::int64_t amount_captured = 0;
  std::int64_t amount_refunded = 0;
  std::string description;
  std::string failure_code;        // empty: none
  std::int64_t expires_at = 0;     // milliseconds since the epoch; 0: none
  std::int64_t authorization_ttl_seconds = default_authorization_ttl_seconds;
  std::int64_t created_at = 0;
  std::int64_t updated_at = 0;
  std::int64_t ordinal = 0;
};

// True when `action` may be taken on an order in `status`.
bool is_allowed(order_status status, order_action action) noexcept;

// The status after a successful `action` (refund: partial unless `refunded_in_full`;
// confirm: settled for automatic capture, else authorized).
order_status status_after(const order_record& order, order_action action,
                          bool refunded_in_full = false) noexcept;

const char* to_string(order_status status) noexcept;
const char* to_string(capture_method method) noexcept;
std::optional<order_status> parse_order_status(std::string_view text) noexcept;
std::optional<capture_method> parse_capture_method(std::string_view text) noexcept;

} // namespace settle
