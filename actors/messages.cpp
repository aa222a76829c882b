// Translation between the domain's failures and CAF's errors.
#include "actors/messages.hpp"

#include <caf/message.hpp>
#include <caf/sec.hpp>

namespace settle {

caf::error make_settle_error(settle_errc code, std::string message, std::string param) {
  return caf::error{static_cast<std::uint8_t>(code), settle_error_category,
                    caf::make_message(std::move(message), std::move(param))};
}

caf::error make_settle_error(const failure& reason) {
  return make_settle_error(reason.code, reason.message, reason.param);
}

failure to_failure(const caf::error& error) {
  if (error.category() == settle_error_category) {
    failure reason;
    reason.code = static_cast<settle_errc>(error.code());
    const auto& context = error.context();
    if (context.match_elements<std::string, std::string>()) {
      reason.message = context.get_as<std::string>(0);
      reason.param = context.get_as<std::string>(1);
    }
    return reason;
  }
  if (error.category() == caf::atom("system")) {
    auto code = static_cast<caf::sec>(error.code());
    if (code == caf::sec::request_timeout || code == caf::sec::request_receiver_down) {
      return make_failure(settle_errc::unavailable,
                          "the service is temporarily unavailable; retry shortly");
    }
  }
  return make_failure(settle_errc::internal_error, "an internal error occurred");
}

} // namespace settle
