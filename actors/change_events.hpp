// The events that transfers and orders write with their changes (the outbox rows):
// who may see each, and which objects' topics it belongs to.
#pragma once

#include "actors/response_renderer.hpp"
#include "persistence/write_set.hpp"

namespace settle {

// transfer.settled: seen by both sides' tenants, in the topics of the transfer, both
// accounts and the order it belongs to. `object` is the transfer as rendered for its
// answer, so the hot path renders it once.
persistence::event_record transfer_settled_event(const transfer_record& transfer,
                                                 std::string object);

// order.<what happened>: seen by the order's tenant, in the topics of the order and its
// two accounts.
persistence::event_record order_event(const response_renderer& renderer,
                                      const order_record& order);

} // namespace settle
