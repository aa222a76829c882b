// Tests the one table from settle_errc to HTTP status and API error code against the
// error table of API.md, row by row.
#include "net/error_mapping.hpp"

#include <catch2/catch.hpp>

#include <set>
#include <string>
#include <vector>

namespace {

using settle::settle_errc;

struct expected_row {
  settle_errc code;
  unsigned status;
  const char* api_code;
};

// API.md's table, one row per code; the last two are not in it: batch_aborted only
// appears inside a batch's results, and internal_error is the answer to a defect.
const std::vector<expected_row> api_table{
  {settle_errc::malformed_json, 400, "malformed_json"},
  {settle_errc::invalid_idempotency_key, 400, "invalid_idempotency_key"},
  {settle_errc::unauthenticated, 401, "unauthenticated"},
  {settle_errc::insufficient_funds, 402, "insufficient_funds"},
  {settle_errc::forbidden, 403, "forbidden"},
  {settle_errc::not_found, 404, "not_found"},
  {settle_errc::route_not_found, 404, "route_not_found"},
  {settle_errc::method_not_allowed, 405, "method_not_allowed"},
  {settle_errc::invalid_state, 409, "invalid_state"},
  {settle_errc::account_closed, 409, "account_closed"},
  {settle_errc::account_not_empty, 409, "account_not_empty"},
  {settle_errc::user_has_open_accounts, 409, "user_has_open_accounts"},
  {settle_errc::idempotency_key_in_use, 409, "idempotency_key_in_use"},
  {settle_errc::body_too_large, 413, "body_too_large"},
  {settle_errc::header_too_large, 431, "header_too_large"},
  {settle_errc::unsupported_media_type, 415, "unsupported_media_type"},
  {settle_errc::upgrade_required, 426, "upgrade_required"},
  {settle_errc::invalid_parameter, 422, "invalid_parameter"},
  {settle_errc::missing_parameter, 422, "missing_parameter"},
  {settle_errc::unknown_parameter, 422, "unknown_parameter"},
  {settle_errc::currency_mismatch, 422, "currency_mismatch"},
  {settle_errc::same_account, 422, "same_account"},
  {settle_errc::unsupported_currency, 422, "unsupported_currency"},
  {settle_errc::amount_too_large, 422, "amount_too_large"},
  {settle_errc::idempotency_key_reused, 422, "idempotency_key_reused"},
  {settle_errc::rate_limited, 429, "rate_limited"},
  {settle_errc::unavailable, 503, "unavailable"},
  {settle_errc::batch_aborted, 422, "batch_aborted"},
  {settle_errc::internal_error, 500, "internal_error"},
};

settle_errc code_at(std::size_t index) {
  return static_cast<settle_errc>(index);
}

} // namespace

TEST_CASE("every settle_errc has a row at its own index", "[error_mapping]") {
  for (std::size_t index = 0; index < settle::settle_errc_count; ++index) {
    INFO("settle_errc index " << index);
    // mapping_of aborts when the row at this index names another code.
    CHECK(settle::net::mapping_of(code_at(index)).code == code_at(index));
  }
}

TEST_CASE("the expected table lists every settle_errc once, in enum order", "[error_mapping]") {
  REQUIRE(api_table.size() == settle::settle_errc_count);
  for (std::size_t index = 0; index < api_table.size(); ++index) {
    CHECK(api_table[index].code == code_at(index));
  }
}

TEST_CASE("each code has the status and API code of API.md", "[error_mapping]") {
  for (const auto& row : api_table) {
    const auto& mapping = settle::net::mapping_of(row.code);
    INFO("expected " << row.api_code);
    CHECK(std::string{mapping.api_code} == row.api_code);
    CHECK(mapping.status == row.status);
  }
}

TEST_CASE("the API codes are unique", "[error_mapping]") {
  std::set<std::string> codes;
  for (std::size_t index = 0; index < settle::settle_errc_count; ++index) {
    std::string api_code{settle::net::mapping_of(code_at(index)).api_code};
    INFO("duplicate API code " << api_code);
    CHECK(codes.insert(api_code).second);
  }
  CHECK(codes.size() == settle::settle_errc_count);
}

TEST_CASE("every code has an error type", "[error_mapping]") {
  for (std::size_t index = 0; index < settle::settle_errc_count; ++index) {
    const auto& mapping = settle::net::mapping_of(code_at(index));
    INFO("API code " << mapping.api_code);
    CHECK(mapping.type.size() > std::string_view{"_error"}.size());
    CHECK(mapping.type.substr(mapping.type.size() - 6) == "_error");
  }
}
