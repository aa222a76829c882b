// Spawns the detached actor that runs database reads on its own thread.
#pragma once

#include "actors/interfaces.hpp"
#include "persistence/storage_url.hpp"

#include <caf/fwd.hpp>

#include <chrono>
#include <cstddef>

namespace settle {

// A read that takes longer than `statement_timeout` is cancelled and answered
// `unavailable` (PostgreSQL): nobody waits for it longer than a request's timeout.
storage_reader_actor spawn_storage_reader(caf::actor_system& system,
                                          const persistence::storage_url& url,
                                          std::chrono::milliseconds statement_timeout);

// `readers` such actors, each with its own connection, behind one handle that hands them
// requests in turn; they stop with it.
storage_reader_actor spawn_storage_reader_pool(caf::actor_system& system,
                                               const persistence::storage_url& url,
                                               std::chrono::milliseconds statement_timeout,
                                               std::size_t readers);

} // namespace settle
