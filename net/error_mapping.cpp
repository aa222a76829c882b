// settle_errc -> HTTP. The table is indexed by the enum, and a static check keeps it
// complete; mapping_of asserts each row sits at its own code.
#include "net/error_mapping.hpp"

#include "domain/assert.hpp"

#include <array>

namespace settle::net {
namespace {

constexpr std::string_view invalid_request = "invalid_request_error";

constexpr std::array<error_mapping, settle_errc_count> table{{
  {settle_errc::malformed_json, 400, "malformed_json", invalid_request},
  {settle_errc::invalid_idempotency_key, 400, "invalid_idempotency_key", invalid_request},
  {settle_errc::unauthenticated, 401, "unauthenticated", "authentication_error"},
  {settle_errc::insufficient_funds, 402, "insufficient_funds", "payment_error"},
  {settle_errc::forbidden, 403, "forbidden", "permission_error"},
  {settle_errc::not_found, 404, "not_found", invalid_request},
  {settle_errc::route_not_found, 404, "route_not_found", invalid_request},
  {settle_errc::method_not_allowed, 405, "method_not_allowed", invalid_request},
  {settle_errc::invalid_state, 409, "invalid_state", "conflict_error"},
  {settle_errc::account_closed, 409, "account_closed", "conflict_error"},
  {settle_errc::account_not_empty, 409, "account_not_empty", "conflict_error"},
  {settle_errc::user_has_open_accounts, 409, "user_has_open_accounts", "conflict_error"},
  {settle_errc::idempotency_key_in_use, 409, "idempotency_key_in_use", "conflict_error"},
  {settle_errc::body_too_large, 413, "body_too_large", invalid_request},
  {settle_errc::header_too_large, 431, "header_too_large", invalid_request},
  {settle_errc::unsupported_media_type, 415, "unsupported_media_type", invalid_request},
  {settle_errc::upgrade_required, 426, "upgrade_required", invalid_request},
  {settle_errc::invalid_parameter, 422, "invalid_parameter", invalid_request},
  {settle_errc::missing_parameter, 422, "missing_parameter", invalid_request},
  {settle_errc::unknown_parameter, 422, "unknown_parameter", invalid_request},
  {settle_errc::currency_mismatch, 422, "currency_mismatch", invalid_request},
  {settle_errc::same_account, 422, "same_account", invalid_request},
  {settle_errc::unsupported_currency, 422, "unsupported_currency", invalid_request},
  {settle_errc::amount_too_large, 422, "amount_too_large", invalid_request},
  {settle_errc::idempotency_key_reused, 422, "idempotency_key_reused", invalid_request},
  {settle_errc::rate_limited, 429, "rate_limited", "rate_limit_error"},
  {settle_errc::unavailable, 503, "unavailable", "api_error"},
  {settle_errc::batch_aborted, 422, "batch_aborted", invalid_request},
  {settle_errc::internal_error, 500, "internal_error", "api_error"},
}};

} // namespace

const error_mapping& mapping_of(settle_errc code) noexcept {
  const auto& row = table[static_cast<std::size_t>(code)];
  SETTLE_ASSERT(row.code == code);
  return row;
}

} // namespace settle::net
