// Spawns the detached actor that runs database reads on its own thread.
#pragma once

#include "actors/interfaces.hpp"
#include "persistence/storage_url.hpp"

#include <caf/fwd.hpp>

namespace settle {

storage_reader_actor spawn_storage_reader(caf::actor_system& system,
                                          const persistence::storage_url& url);

} // namespace settle
