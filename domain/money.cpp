// Checked arithmetic on minor units.
#include "domain/money.hpp"

namespace settle {

std::optional<std::int64_t> checked_add(std::int64_t a, std::int64_t b) noexcept {
  std::int64_t result = 0;
  if (__builtin_add_overflow(a, b, &result)) {
    return std::nullopt;
  }
  return result;
}

std::optional<std::int64_t> checked_subtract(std::int64_t a, std::int64_t b) noexcept {
  std::int64_t result = 0;
  if (__builtin_sub_overflow(a, b, &result)) {
    return std::nullopt;
  }
  return result;
}

bool is_valid_amount(std::int64_t amount) noexcept {
  return amount >= 1 && amount <= maximum_amount;
}

} // namespace settle
