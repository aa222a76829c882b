// The order state table (API.md, Orders): which action each status allows, the status
// each action leads to, and the status and capture names both ways.
#include "domain/order.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <map>
#include <string>
#include <vector>

namespace {

using settle::order_action;
using settle::order_status;

constexpr std::array all_statuses{
  order_status::created,   order_status::authorized, order_status::settled,
  order_status::failed,    order_status::cancelled,  order_status::expired,
  order_status::partially_refunded, order_status::refunded};
constexpr std::array all_actions{order_action::confirm, order_action::capture,
                                 order_action::cancel, order_action::refund,
                                 order_action::expire};

// The table written out once more, from the contract: the statuses each action is
// allowed in. Everything else is refused (409 invalid_state).
const std::map<order_action, std::vector<order_status>> allowed_in{
  {order_action::confirm, {order_status::created, order_status::failed}},
  {order_action::capture, {order_status::authorized}},
  {order_action::cancel, {order_status::created, order_status::failed, order_status::authorized}},
  {order_action::refund, {order_status::settled, order_status::partially_refunded}},
  {order_action::expire, {order_status::authorized}},
};

bool listed(const std::vector<order_status>& statuses, order_status status) {
  return std::find(statuses.begin(), statuses.end(), status) != statuses.end();
}

settle::order_record order_in(order_status status, settle::capture_method capture) {
  settle::order_record order;
  order.status = status;
  order.capture = capture;
  return order;
}

} // namespace

TEST_CASE("each action is allowed in exactly the statuses of the contract's table", "[order]") {
  for (auto action : all_actions) {
    for (auto status : all_statuses) {
      INFO("action " << static_cast<int>(action) << " in " << settle::to_string(status));
      CHECK(settle::is_allowed(status, action) == listed(allowed_in.at(action), status));
    }
  }
}

TEST_CASE("terminal statuses allow nothing but a refund of what was settled", "[order]") {
  for (auto status : {order_status::cancelled, order_status::expired, order_status::refunded}) {
    for (auto action : all_actions) {
      CHECK_FALSE(settle::is_allowed(status, action));
    }
  }
}

TEST_CASE("each action leads to the status of the contract's table", "[order]") {
  using settle::capture_method;
  using settle::status_after;
  const auto created_automatic = order_in(order_status::created, capture_method::automatic);
  const auto created_manual = order_in(order_status::created, capture_method::manual);
  const auto failed_manual = order_in(order_status::failed, capture_method::manual);
  CHECK(status_after(created_automatic, order_action::confirm) == order_status::settled);
  CHECK(status_after(created_manual, order_action::confirm) == order_status::authorized);
  CHECK(status_after(failed_manual, order_action::confirm) == order_status::authorized);
  const auto authorized = order_in(order_status::authorized, capture_method::manual);
  CHECK(status_after(authorized, order_action::capture) == order_status::settled);
  CHECK(status_after(authorized, order_action::cancel) == order_status::cancelled);
  CHECK(status_after(authorized, order_action::expire) == order_status::expired);
  const auto settled = order_in(order_status::settled, capture_method::automatic);
  CHECK(status_after(settled, order_action::refund) == order_status::partially_refunded);
  CHECK(status_after(settled, order_action::refund, true) == order_status::refunded);
  const auto partly = order_in(order_status::partially_refunded, capture_method::automatic);
  CHECK(status_after(partly, order_action::refund, true) == order_status::refunded);
}

TEST_CASE("status and capture names read back as what they name, and nothing else reads",
          "[order]") {
  for (auto status : all_statuses) {
    const std::string name = settle::to_string(status);
    CHECK(settle::parse_order_status(name) == status);
  }
  CHECK(std::string{settle::to_string(order_status::partially_refunded)} == "partially_refunded");
  for (const char* wrong : {"", "Created", "settled ", "refund", "unknown"}) {
    CHECK_FALSE(settle::parse_order_status(wrong).has_value());
  }
  CHECK(settle::parse_capture_method("automatic") == settle::capture_method::automatic);
  CHECK(settle::parse_capture_method("manual") == settle::capture_method::manual);
  CHECK_FALSE(settle::parse_capture_method("Manual").has_value());
  CHECK_FALSE(settle::parse_capture_method("").has_value());
}
