// Money is an int64 count of a currency's minor units. Arithmetic is checked:
// an operation that would overflow 64 bits reports it instead of wrapping.
#pragma once

#include <cstdint>
#include <optional>

namespace settle {

// The largest amount a single request may carry: 10^15 minor units.
inline constexpr std::int64_t maximum_amount = 1'000'000'000'000'000;

// Returns a + b, or nothing when the sum does not fit in 64 bits.
std::optional<std::int64_t> checked_add(std::int64_t a, std::int64_t b) noexcept;

// Returns a - b, or nothing when the difference does not fit in 64 bits.
std::optional<std::int64_t> checked_subtract(std::int64_t a, std::int64_t b) noexcept;

// True when 1 <= amount <= 10^15.
bool is_valid_amount(std::int64_t amount) noexcept;

} // namespace settle
