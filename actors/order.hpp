// Spawns the actor of one order, from its stored record.
#pragma once

#include "actors/interfaces.hpp"
#include "actors/response_renderer.hpp"

#include <caf/fwd.hpp>

#include <memory>

namespace settle {

struct order_dependencies {
  ledger_writer_actor writer;
  account_region_actor accounts;
  std::shared_ptr<const response_renderer> renderer;
};

// `fence`: the lease of the order's shard that this node holds.
order_actor spawn_order(caf::actor_system& system, order_record record,
                        const order_dependencies& dependencies, persistence::shard_fence fence);

} // namespace settle
