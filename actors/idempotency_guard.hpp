// Spawns the guard of Idempotency-Keys.
#pragma once

#include "actors/interfaces.hpp"

#include <caf/fwd.hpp>

namespace settle {

idempotency_guard_actor spawn_idempotency_guard(caf::actor_system& system,
                                                storage_reader_actor reader);

} // namespace settle
