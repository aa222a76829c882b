// The one error enum of the domain. Every failure a client can see is one of these;
// net/error_mapping.cpp maps each to its HTTP status and API code in one table.
#pragma once

#include <cstdint>
#include <string>

namespace settle {

enum class settle_errc : std::uint8_t {
  malformed_json,
  invalid_idempotency_key,
  unauthenticated,
  insufficient_funds,
  forbidden,
  not_found,
  route_not_found,
  method_not_allowed,
  invalid_state,
  account_closed,
  account_not_empty,
  user_has_open_accounts,
  idempotency_key_in_use,
  body_too_large,
  header_too_large,
  unsupported_media_type,
  upgrade_required,
  invalid_parameter,
  missing_parameter,
  unknown_parameter,
  currency_mismatch,
  same_account,
  unsupported_currency,
  amount_too_large,
  idempotency_key_reused,
  rate_limited,
  unavailable,
  batch_aborted,
  internal_error,
};

// The number of codes, for tables indexed by settle_errc.
inline constexpr std::size_t settle_errc_count =
  static_cast<std::size_t>(settle_errc::internal_error) + 1;

// A failure with the sentence a client reads and the request field it concerns
// (empty when it concerns no field).
struct failure {
  settle_errc code = settle_errc::internal_error;
  std::string message;
  std::string param;
};

inline failure make_failure(settle_errc code, std::string message, std::string param = {}) {
  return failure{code, std::move(message), std::move(param)};
}

} // namespace settle
