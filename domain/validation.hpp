// Validation of every value a client sends. Each function returns the failure to
// answer, or nothing when the value is acceptable. JSON shape (types, unknown fields)
// is checked in net/; these are the domain's rules for the values themselves.
#pragma once

#include "domain/errc.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace settle {

using validation_result = std::optional<failure>;

inline constexpr std::size_t maximum_name_length = 200;        // code points
inline constexpr std::size_t maximum_email_length = 254;       // characters
inline constexpr std::size_t maximum_description_length = 1000; // code points
inline constexpr std::size_t maximum_idempotency_key_length = 255;
inline constexpr std::int64_t maximum_list_limit = 100;
inline constexpr std::int64_t default_list_limit = 20;
inline constexpr std::size_t maximum_batch_items = 1000; // transfers in one batch

// The number of Unicode code points in valid UTF-8 text.
std::size_t count_code_points(std::string_view utf8) noexcept;

validation_result validate_amount(std::int64_t amount, std::string_view param = "amount");
validation_result validate_overdraft_limit(std::int64_t overdraft_limit);
validation_result validate_name(std::string_view name);
validation_result validate_email(std::string_view email);
validation_result validate_description(std::string_view description);
validation_result validate_currency(std::string_view currency,
                                    const std::vector<std::string>& accepted);
validation_result validate_idempotency_key(std::string_view key);
validation_result validate_list_limit(std::int64_t limit);

} // namespace settle
