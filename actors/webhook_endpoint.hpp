// Spawns the actor of one webhook endpoint, from its stored record. The actor is the only
// writer of the endpoint's row and delivers the tenant's events to it: it reads the log
// after its cursor, keeps the events its filters pass, and POSTs them one at a time in
// seq order, each outcome committed with the cursor after it (docs/ARCHITECTURE.md,
// "Webhooks").
#pragma once

#include "actors/interfaces.hpp"
#include "actors/response_renderer.hpp"
#include "actors/webhook_transport.hpp"

#include <caf/fwd.hpp>

#include <memory>

namespace settle {

struct webhook_endpoint_dependencies {
  ledger_writer_actor writer;
  storage_reader_actor reader; // the queries' pool: log pages and deliveries
  std::shared_ptr<const response_renderer> renderer;
  std::shared_ptr<webhook_transport> transport;
  webhook_address_checker_actor addresses;
};

// `fence`: the lease of the endpoint's shard that this node holds.
webhook_endpoint_actor spawn_webhook_endpoint(caf::actor_system& system,
                                              webhook_endpoint_record record,
                                              const webhook_endpoint_dependencies& dependencies,
                                              persistence::shard_fence fence);

} // namespace settle
