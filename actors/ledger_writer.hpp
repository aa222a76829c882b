// Spawns the detached ledger writer: the one actor that commits to the database.
#pragma once

#include "actors/interfaces.hpp"
#include "config/options.hpp"
#include "persistence/commit_store.hpp"

#include <atomic>
#include <memory>

#include <caf/fwd.hpp>

namespace settle {

// Where the writer stands in its node.
struct writer_placement {
  std::int64_t largest_stored_ordinal = 0;
  std::int64_t largest_event_seq = 0;
  // In a cluster: commits are fenced, ordinals come from the node's slot, and events
  // reach the hub through the log reader (every node's, in seq order) instead.
  bool clustered = false;
  std::int64_t ordinal_slot = -1;
  // Set when the node stops: the writer stops waiting for the database to tell the
  // outcome of a commit whose answer was lost (none: it waits as long as it takes).
  std::shared_ptr<const std::atomic<bool>> node_stopping;
};

// The writer over any store (ledger_store on a database), one store per lane: with two,
// a group's statements run while the previous group commits (see ledger_writer.cpp).
// Without a hub (in a cluster) the writer publishes no events itself. It runs on its own thread (`detached`) because a store
// blocks; only the simulation's store in memory, which never blocks, runs on the
// scheduler, where the simulation's deterministic scheduler decides when it runs.
enum class writer_thread : bool { scheduler, own };
ledger_writer_actor spawn_ledger_writer(caf::actor_system& system,
                                        std::vector<std::shared_ptr<persistence::commit_store>> lanes,
                                        const config::storage_options& options,
                                        writer_placement placement, event_hub_actor hub,
                                        writer_thread thread);

} // namespace settle
