// Spawns the event hub of a node.
#pragma once

#include "actors/interfaces.hpp"
#include "actors/response_renderer.hpp"

#include <caf/fwd.hpp>

#include <memory>

namespace settle {

event_hub_actor spawn_event_hub(caf::actor_system& system, storage_reader_actor reader,
                                std::shared_ptr<const response_renderer> renderer);

} // namespace settle
