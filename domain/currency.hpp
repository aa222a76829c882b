// The ISO 4217 currencies Settle knows, with the exponent of each minor unit, and the
// configured subset a node accepts.
#pragma once

#include "domain/ids.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace settle {

struct currency_info {
  std::string_view code;
  int exponent;
};

// The ISO 4217 entry for an upper-case alphabetic code, or nothing.
std::optional<currency_info> find_currency(std::string_view code) noexcept;

// The currencies accepted when the configuration names none.
std::vector<std::string> default_currencies();

// The name of the system account through which money of `currency` enters and leaves.
account_id world_account_id(std::string_view currency);

} // namespace settle
