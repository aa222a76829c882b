// The cluster manager keeps this node's place in the cluster, once a second on its own
// thread (its database calls block):
//   - heartbeat in the members table; connect to the other members' node directories
//     over CAF (seeds first) and monitor them;
//   - spread the shards over the live members (round robin over their sorted ids), renew
//     the leases this node holds, release those now meant for another node, take free
//     or expired ones meant for this node (the epoch grows with each taking);
//   - publish the view in the shard map, retire actors of shards no longer held, and
//     start the authorized orders of newly taken shards (their expiry timers).
// Leaving (SIGTERM) releases every lease at once, so the others take over within a tick;
// the answer to leave_atom waits until they have (at most 5 s), so that no peer still
// sends requests to the node when it exits.
#pragma once

#include "actors/interfaces.hpp"
#include "domain/shard_map.hpp"
#include "persistence/lease_store.hpp"

#include <caf/fwd.hpp>

#include <memory>
#include <string>
#include <vector>

namespace settle {

class peer_directory;

struct cluster_seed {
  std::string node_id;
  std::string address; // HOST:PORT of its node directory
};

// "ID@HOST:PORT,..." → seeds; an entry without "@" is refused (empty result and false).
bool parse_seeds(const std::string& text, std::vector<cluster_seed>& seeds);

struct cluster_wiring {
  std::string node_id;
  std::string address; // this node's --cluster.listen
  std::vector<cluster_seed> seeds;
  std::shared_ptr<shard_map> shards;
  std::shared_ptr<peer_directory> peers;
  account_region_actor accounts;
  user_region_actor users;
  order_region_actor orders;
  webhook_region_actor webhooks; // none when the node sends no webhooks
  persistence::storage_url storage;
  std::int64_t lease_milliseconds = 5000;
  bool tls = false; // peers are reached over CAF's OpenSSL module (--cluster.tls-*)
};

// `leases` has joined the cluster already (lease_store::join).
cluster_manager_actor spawn_cluster_manager(caf::actor_system& system,
                                            std::shared_ptr<persistence::lease_store> leases,
                                            cluster_wiring wiring);

} // namespace settle
