// Event names and audiences for transfers and orders.
#include "actors/change_events.hpp"

namespace settle {
namespace {

const char* order_event_name(order_status status) {
  switch (status) {
    case order_status::created:
      return "order.created";
    case order_status::authorized:
      return "order.authorized";
    case order_status::settled:
      return "order.settled";
    case order_status::failed:
      return "order.failed";
    case order_status::cancelled:
      return "order.cancelled";
    case order_status::expired:
      return "order.expired";
    case order_status::partially_refunded:
    case order_status::refunded:
      return "order.refunded";
  }
  return "order.created";
}

} // namespace

persistence::event_record transfer_settled_event(const transfer_record& transfer,
                                                 std::string object) {
  return persistence::make_event("transfer.settled",
                                 {transfer.from_tenant.value, transfer.to_tenant.value},
                                 {transfer.id.value, transfer.from_account.value,
                                  transfer.to_account.value, transfer.order_id.value},
                                 std::move(object));
}

persistence::event_record order_event(const response_renderer& renderer,
                                      const order_record& order) {
  return persistence::make_event(order_event_name(order.status),
                                 {order.tenant.value, order.payee_tenant.value},
                                 {order.id.value, order.payer_account.value,
                                  order.payee_account.value},
                                 renderer.order(order));
}

} // namespace settle
