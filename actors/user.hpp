// Spawns the actor of one user, from its stored record.
#pragma once

#include "actors/interfaces.hpp"
#include "actors/response_renderer.hpp"

#include <caf/fwd.hpp>

#include <memory>

namespace settle {

user_actor spawn_user(caf::actor_system& system, user_record record, ledger_writer_actor writer,
                      storage_reader_actor reader,
                      std::shared_ptr<const response_renderer> renderer,
                      persistence::shard_fence fence);

} // namespace settle
