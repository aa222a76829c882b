// The domain's input rules, one function per kind of value.
#include "domain/validation.hpp"

#include "domain/currency.hpp"
#include "domain/money.hpp"

#include <algorithm>

namespace settle {

std::size_t count_code_points(std::string_view utf8) noexcept {
  // Every code point has exactly one byte that is not a continuation byte (10xxxxxx).
  return static_cast<std::size_t>(std::count_if(utf8.begin(), utf8.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

validation_result validate_amount(std::int64_t amount, std::string_view param) {
  if (!is_valid_amount(amount)) {
    return make_failure(settle_errc::invalid_parameter,
                        "amount must be an integer from 1 to 1000000000000000 minor units",
                        std::string{param});
  }
  return std::nullopt;
}

validation_result validate_overdraft_limit(std::int64_t overdraft_limit) {
  if (overdraft_limit < 0 || overdraft_limit > maximum_amount) {
    return make_failure(settle_errc::invalid_parameter,
                        "overdraft_limit must be an integer from 0 to 1000000000000000",
                        "overdraft_limit");
  }
  return std::nullopt;
}

validation_result validate_name(std::string_view name) {
  auto length = count_code_points(name);
  bool has_nul = name.find('\0') != std::string_view::npos;
  if (length < 1 || length > maximum_name_length || has_nul) {
    return make_failure(settle_errc::invalid_parameter,
                        "name must be 1 to 200 characters long", "name");
  }
  return std::nullopt;
}

validation_result validate_email(std::string_view email) {
  auto at = email.find('@');
  bool one_at = at != std::string_view::npos && email.find('@', at + 1) == std::string_view::npos;
  bool has_both_parts = one_at && at > 0 && at + 1 < email.size();
  bool printable = std::none_of(email.begin(), email.end(), [](char c) {
    return static_cast<unsigned char>(c) <= 0x20 || c == 0x7F;
  });
  if (!has_both_parts || !printable || email.size() > maximum_email_length) {
    return make_failure(settle_errc::invalid_parameter,
                        "email must contain one @ and be at most 254 characters long",
                        "email");
  }
  return std::nullopt;
}

validation_result validate_description(std::string_view description) {
  bool has_nul = description.find('\0') != std::string_view::npos;
  if (has_nul || count_code_points(description) > maximum_description_length) {
    return make_failure(settle_errc::invalid_parameter,
                        "description must be at most 1000 characters, without NUL",
                        "description");
  }
  return std::nullopt;
}

validation_result validate_currency(std::string_view currency,
                                    const std::vector<std::string>& accepted) {
  bool known = find_currency(currency).has_value();
  bool configured = std::find(accepted.begin(), accepted.end(), currency) != accepted.end();
  if (!known || !configured) {
    return make_failure(settle_errc::unsupported_currency,
                        "currency must be one of the supported ISO 4217 codes", "currency");
  }
  return std::nullopt;
}

validation_result validate_idempotency_key(std::string_view key) {
  bool printable = std::all_of(key.begin(), key.end(), [](char c) {
    return c >= 0x20 && c <= 0x7E;
  });
  if (key.empty() || key.size() > maximum_idempotency_key_length || !printable) {
    return make_failure(settle_errc::invalid_idempotency_key,
                        "Idempotency-Key must be 1 to 255 printable ASCII characters");
  }
  return std::nullopt;
}

validation_result validate_list_limit(std::int64_t limit) {
  if (limit < 1 || limit > maximum_list_limit) {
    return make_failure(settle_errc::invalid_parameter, "limit must be from 1 to 100", "limit");
  }
  return std::nullopt;
}

} // namespace settle
