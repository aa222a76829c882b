// The webhook endpoints' actors run where their shards live, and only while enabled.
// The dispatcher of each node starts them (every tick it reads the enabled endpoints'
// ids and looks up those of its own shards: the region spawns them under the shard's
// lease, so after a takeover they start on the new owner), and passes on the hub's word
// that the log grew. The address checker answers whether a URL may receive webhooks.
#pragma once

#include "actors/interfaces.hpp"
#include "actors/webhook_transport.hpp"
#include "domain/shard_map.hpp"

#include <caf/fwd.hpp>

#include <memory>

namespace settle {

webhook_address_checker_actor spawn_webhook_address_checker(
  caf::actor_system& system, std::shared_ptr<webhook_transport> transport);

// Registers itself with `hub` as a watcher.
webhook_dispatcher_actor spawn_webhook_dispatcher(caf::actor_system& system,
                                                  webhook_region_actor endpoints,
                                                  storage_reader_actor reader,
                                                  std::shared_ptr<const shard_map> shards,
                                                  event_hub_actor hub);

} // namespace settle
