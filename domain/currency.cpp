// The ISO 4217 table. Exponents: most currencies have 2 decimals; JPY and KRW none;
// BHD, KWD, OMR, JOD, TND, LYD, IQD three.
#include "domain/currency.hpp"

#include <array>

namespace settle {
namespace {

constexpr std::array<currency_info, 40> iso_4217_table{{
  {"AED", 2}, {"AUD", 2}, {"BHD", 3}, {"BRL", 2}, {"CAD", 2}, {"CHF", 2}, {"CLP", 0},
  {"CNY", 2}, {"CZK", 2}, {"DKK", 2}, {"EUR", 2}, {"GBP", 2}, {"HKD", 2}, {"HUF", 2},
  {"IDR", 2}, {"ILS", 2}, {"INR", 2}, {"IQD", 3}, {"ISK", 0}, {"JOD", 3}, {"JPY", 0},
  {"KRW", 0}, {"KWD", 3}, {"LYD", 3}, {"MXN", 2}, {"MYR", 2}, {"NOK", 2}, {"NZD", 2},
  {"OMR", 3}, {"PHP", 2}, {"PLN", 2}, {"RON", 2}, {"SAR", 2}, {"SEK", 2}, {"SGD", 2},
  {"THB", 2}, {"TND", 3}, {"TRY", 2}, {"USD", 2}, {"ZAR", 2},
}};

} // namespace

std::optional<currency_info> find_currency(std::string_view code) noexcept {
  for (const auto& entry : iso_4217_table) {
    if (entry.code == code) {
      return entry;
    }
  }
  return std::nullopt;
}

std::vector<std::string> default_currencies() {
  return {"USD", "EUR", "GBP", "JPY", "CNY", "CHF", "BHD"};
}

account_id world_account_id(std::string_view currency) {
  return account_id{"acc_world_" + std::string{currency}};
}

} // namespace settle
