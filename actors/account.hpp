// Spawns the actor of one account, from its stored record (and, for a world account,
// each tenant's net deposits).
#pragma once

#include "actors/interfaces.hpp"
#include "actors/response_renderer.hpp"

#include <caf/fwd.hpp>

#include <memory>

namespace settle {

account_actor spawn_account(caf::actor_system& system, account_snapshot snapshot,
                            ledger_writer_actor writer,
                            std::shared_ptr<const response_renderer> renderer,
                            persistence::shard_fence fence);

} // namespace settle
