// The order state machine:
//   created   --confirm--> authorized (manual) | settled (automatic) | failed
//   failed    --confirm--> authorized | settled | failed
//   authorized --capture--> settled
//   created | failed | authorized --cancel--> cancelled
//   authorized --expire--> expired
//   settled | partially_refunded --refund--> partially_refunded | refunded
#include "domain/order.hpp"

#include <array>

namespace settle {
namespace {

constexpr std::array<std::string_view, 8> status_names{
  "created", "authorized", "settled", "failed", "cancelled", "expired", "partially_refunded",
  "refunded"};

} // namespace

bool is_allowed(order_status status, order_action action) noexcept {
  switch (action) {
    case order_action::confirm:
      return status == order_status::created || status == order_status::failed;
    case order_action::capture:
    case order_action::expire:
      return status == order_status::authorized;
    case order_action::cancel:
      return status == order_status::created || status == order_status::failed
             || status == order_status::authorized;
    case order_action::refund:
      return status == order_status::settled || status == order_status::partially_refunded;
  }
  return false;
}

order_status status_after(const order_record& order, order_action action,
                          bool refunded_in_full) noexcept {
  switch (action) {
    case order_action::confirm:
      return order.capture == capture_method::automatic ? order_status::settled
                                                        : order_status::authorized;
    case order_action::capture:
      return order_status::settled;
    case order_action::cancel:
      return order_status::cancelled;
    case order_action::expire:
      return order_status::expired;
    case order_action::refund:
      return refunded_in_full ? order_status::refunded : order_status::partially_refunded;
  }
  return order.status;
}

const char* to_string(order_status status) noexcept {
  return status_names[static_cast<std::size_t>(status)].data();
}

const char* to_string(capture_method method) noexcept {
  return method == capture_method::automatic ? "automatic" : "manual";
}

std::optional<order_status> parse_order_status(std::string_view text) noexcept {
  for (std::size_t i = 0; i < status_names.size(); ++i) {
    if (status_names[i] == text) {
      return static_cast<order_status>(i);
    }
  }
  return std::nullopt;
}

std::optional<capture_method> parse_capture_method(std::string_view text) noexcept {
  if (text == "automatic") {
    return capture_method::automatic;
  }
  if (text == "manual") {
    return capture_method::manual;
  }
  return std::nullopt;
}

} // namespace settle
