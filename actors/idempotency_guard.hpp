// Spawns the guard of Idempotency-Keys.
#pragma once

#include "actors/interfaces.hpp"
#include "config/options.hpp"

#include <caf/fwd.hpp>

namespace settle {

// Answers are cached up to `options.cache_bytes`; a cached answer older than the
// retention is looked up in the database again (where the sweep deletes it).
idempotency_guard_actor spawn_idempotency_guard(caf::actor_system& system,
                                                storage_reader_actor reader,
                                                const config::idempotency_options& options);

} // namespace settle
