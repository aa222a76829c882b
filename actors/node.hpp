// Assembles one node's actors: storage reader, ledger writer, shard regions, the
// idempotency guard and the gateway. Migrates the database first.
#pragma once

#include "actors/gateway.hpp"
#include "config/options.hpp"

#include <caf/fwd.hpp>

#include <memory>

namespace settle {

struct node_actors {
  gateway_actor gateway;
  storage_reader_actor reader;
  ledger_writer_actor writer;
  account_region_actor accounts;
  user_region_actor users;
  order_region_actor orders;
  idempotency_guard_actor idempotency;
  event_hub_actor events;
};

// Throws persistence::storage_error when the database cannot be opened or migrated.
node_actors start_node(caf::actor_system& system, const config::node_options& options,
                       std::shared_ptr<const response_renderer> renderer);

// Asks every actor of the node to stop; the caller then awaits them.
void stop_node(caf::actor_system& system, const node_actors& actors);

} // namespace settle
