// In a cluster the events of every node reach this node's WebSocket clients through the
// database: this actor reads the event log in seq order (the ledger store makes commit
// order and seq order the same) and hands each page to the local event hub, which
// de-duplicates by seq. A node's own events take the same road, so every node shows one
// order.
#pragma once

#include "actors/interfaces.hpp"

#include <caf/fwd.hpp>

#include <cstdint>

namespace settle {

using event_log_reader_actor = caf::typed_actor<caf::reacts_to<poll_atom>>;

// Starts reading after `after` (the newest event when the node started).
event_log_reader_actor spawn_event_log_reader(caf::actor_system& system,
                                              storage_reader_actor reader, event_hub_actor hub,
                                              std::int64_t after);

} // namespace settle
