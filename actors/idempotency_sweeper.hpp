// Spawns the detached actor that deletes stored idempotency answers older than the
// retention: every interval, in batches of a thousand rows, one batch per message on a
// connection of its own, so no scheduler or Asio thread waits and no commit waits long.
// Every node of a cluster sweeps; deleting what another node deleted does nothing.
#pragma once

#include "persistence/storage_url.hpp"

#include <caf/fwd.hpp>

#include <chrono>

namespace settle {

caf::actor spawn_idempotency_sweeper(caf::actor_system& system, const persistence::storage_url& url,
                                     std::chrono::seconds retention, std::chrono::seconds interval);

} // namespace settle
