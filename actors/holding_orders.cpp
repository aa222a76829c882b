#include "actors/holding_orders.hpp"

#include <caf/all.hpp>

#include <chrono>

namespace settle {
namespace {

constexpr std::chrono::seconds retry_interval{1};

struct holding_orders_state {
  order_region_actor orders;
  std::size_t outstanding = 0;
  static inline const char* name = "holding_orders";
};

using starter_pointer = caf::stateful_actor<holding_orders_state>*;

// Only a failure of the moment is worth a retry: the order gone, or the region gone
// with its node, ends the attempt.
bool worth_retrying(const caf::error& error) {
  return error.category() == settle_error_category && to_failure(error).code == settle_errc::unavailable;
}

void start_one(starter_pointer self, const order_id& id) {
  self->request(self->state.orders, caf::infinite, lookup_atom::value, id.value)
    .then(
      [self](const order_actor&, const persistence::shard_fence&) {
        if (--self->state.outstanding == 0) {
          self->quit();
        }
      },
      [self, id](caf::error& error) {
        if (worth_retrying(error)) {
          self->delayed_send(self, retry_interval, id.value);
        } else if (--self->state.outstanding == 0) {
          self->quit();
        }
      });
}

caf::behavior holding_orders(starter_pointer self, order_region_actor orders,
                             std::vector<order_id> order_ids) {
  self->state.orders = std::move(orders);
  self->state.outstanding = order_ids.size();
  for (const auto& id : order_ids) {
    start_one(self, id);
  }
  return {
    [self](const std::string& id) { start_one(self, order_id{id}); },
  };
}

} // namespace

void start_holding_orders(caf::actor_system& system, order_region_actor orders,
                          std::vector<order_id> order_ids) {
  if (!order_ids.empty()) {
    system.spawn(holding_orders, std::move(orders), std::move(order_ids));
  }
}

} // namespace settle
