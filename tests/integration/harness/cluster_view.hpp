// GET /v1/cluster read into a struct, and the checks of it that the cluster tests share:
// which node owns which shard at which epoch, and whether the live nodes share every
// shard exactly once.
#pragma once

#include "tests/integration/harness/api_client.hpp"

#include <boost/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace settle::integration {

inline constexpr int cluster_shard_count = 64;

struct shard_lease {
  int shard = 0;
  std::int64_t epoch = 0;
};

struct cluster_member {
  std::string id;
  std::string address;
  std::string state; // up, joining, leaving or down
  std::vector<int> shards;
  std::vector<shard_lease> leases;

  // The epoch at which this member holds `shard`, if it does.
  std::optional<std::int64_t> epoch_of(int shard) const;
};

struct cluster_view {
  std::string node_id; // the node that answered
  std::int64_t shard_count = 0;
  std::vector<cluster_member> nodes;

  // The member with this id, or null.
  const cluster_member* member(const std::string& id) const;
  // One line for test reports: each node's state and number of shards.
  std::string describe() const;
};

// Throws, quoting the JSON, when the body is not the contract's shape.
cluster_view parse_cluster_view(const boost::json::object& body);
// GET /v1/cluster with an admin client; throws unless it answers 200.
cluster_view get_cluster_view(api_client& admin);

// What keeps `view` from showing exactly the nodes `up` as up, each owning some shards
// and holding a lease for each, and together owning every shard once. Empty: healthy.
std::vector<std::string> ownership_problems(const cluster_view& view,
                                            const std::vector<std::string>& up);

// Whether the nodes `up` own numbers of shards that differ by at most one.
bool shards_evenly_spread(const cluster_view& view, const std::vector<std::string>& up);

} // namespace settle::integration
