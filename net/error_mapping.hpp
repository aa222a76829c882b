// The one table that maps each settle_errc to its HTTP status, API error code and
// error type. It has its own test (tests/unit/net/error_mapping_test.cpp).
#pragma once

#include "domain/errc.hpp"

#include <string_view>

namespace settle::net {

struct error_mapping {
  settle_errc code;
  unsigned status;
  std::string_view api_code;
  std::string_view type;
};

const error_mapping& mapping_of(settle_errc code) noexcept;

} // namespace settle::net
