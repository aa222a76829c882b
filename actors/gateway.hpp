// The gateway is where a validated request from the ingress enters the actor system:
// it claims the Idempotency-Key, sends the command to the entities' actors (through
// their shard regions), coordinates transfers, renders the answer, stores it with the
// effect when the request is idempotent, and calls the request's reply callback.
#pragma once

#include "actors/commands.hpp"
#include "actors/interfaces.hpp"
#include "actors/response_renderer.hpp"
#include "domain/shard_map.hpp"

#include <caf/fwd.hpp>

#include <memory>

namespace settle {

struct gateway_dependencies {
  account_region_actor accounts;
  user_region_actor users;
  order_region_actor orders;
  webhook_region_actor webhooks;                   // none: webhooks are unavailable
  webhook_address_checker_actor webhook_addresses;
  storage_reader_actor reader;
  ledger_writer_actor writer;
  idempotency_guard_actor idempotency;
  std::shared_ptr<const response_renderer> renderer;
  std::size_t in_flight_limit = 50000; // requests being processed; beyond: 503
  std::shared_ptr<const shard_map> shards; // this node's view of the cluster
};

gateway_actor spawn_gateway(caf::actor_system& system, gateway_dependencies dependencies);

} // namespace settle
