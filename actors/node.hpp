// Assembles one node's actors: storage reader, ledger writer, shard regions, the
// idempotency guard and the gateway. Migrates the database first.
#pragma once

#include "actors/event_log_reader.hpp"
#include "actors/gateway.hpp"
#include "actors/webhook_transport.hpp"
#include "config/options.hpp"

#include <caf/fwd.hpp>

#include <atomic>
#include <memory>
#include <string>
#include <vector>

namespace settle {

struct node_actors {
  std::shared_ptr<shard_map> shards; // which node owns which shard
  gateway_actor gateway;
  storage_reader_actor reader;  // the payment path's reads: cold loads, idempotency keys
  storage_reader_actor queries; // clients' reads: GET, lists, events, the audit (a pool)
  ledger_writer_actor writer;
  account_region_actor accounts;
  user_region_actor users;
  order_region_actor orders;
  webhook_region_actor webhooks;
  webhook_address_checker_actor webhook_addresses;
  webhook_dispatcher_actor webhook_dispatcher;
  idempotency_guard_actor idempotency;
  event_hub_actor events;
  caf::actor idempotency_sweeper;
  std::shared_ptr<std::atomic<bool>> stopping = std::make_shared<std::atomic<bool>>(false);
  // In a cluster only:
  cluster_manager_actor cluster;
  node_directory_actor directory;
  event_log_reader_actor log_reader;
};

// Registers every message type that travels between nodes; before the actor system
// starts, on every node.
void register_message_types(caf::actor_system_config& config);

// Throws persistence::storage_error when the database cannot be opened or migrated.
// `webhooks` sends the webhook endpoints' requests; none: webhooks are unavailable.
node_actors start_node(caf::actor_system& system, const config::node_options& options,
                       std::shared_ptr<const response_renderer> renderer,
                       std::shared_ptr<webhook_transport> webhooks = nullptr);

class peer_directory;

// The actors that carry requests: the shard regions of accounts, users and orders, the
// idempotency guard and the gateway, working over the storage actors already in
// `actors` (reader, queries, writer) and its shard map. `authorized_orders`: stored
// orders that hold money, whose actors start now so that their expiry timers run (a
// single node's; in a cluster the manager starts them with each shard it takes).
// start_node calls it; the deterministic simulation calls it over its store in memory.
void start_request_actors(caf::actor_system& system, const config::node_options& options,
                          std::shared_ptr<const response_renderer> renderer,
                          std::shared_ptr<peer_directory> peers,
                          const std::vector<order_id>& authorized_orders,
                          node_actors& actors,
                          std::shared_ptr<webhook_transport> webhooks = nullptr);

// Asks every actor of the node to stop; the caller then awaits them.
void stop_node(caf::actor_system& system, const node_actors& actors);

} // namespace settle
