// Orders that hold money must run, so that their expiry timers fire and every hold ends:
// at a node's start, and when a node takes over a shard, their actors are started here.
// A load that fails (the database unreachable for a moment) is tried again every second;
// without that, a hold outlived its time until the next restart (the deterministic
// simulation found it: one failed read at start).
#pragma once

#include "actors/interfaces.hpp"

#include <caf/fwd.hpp>

#include <string>
#include <vector>

namespace settle {

void start_holding_orders(caf::actor_system& system, order_region_actor orders,
                          std::vector<order_id> order_ids);

} // namespace settle
