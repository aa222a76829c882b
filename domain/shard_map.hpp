// Which node owns which shard, as this node last learned it from the database, shared
// between the cluster manager (the only writer) and the actors and the ingress that
// route by it. A node trusts its own leases only until a deadline measured on its own
// steady clock from the last renewal: a node that was paused or cut off from the
// database stops serving its shards by itself, before anyone can have taken them.
// A single node owns every shard at epoch 0, always.
#pragma once

#include "domain/shard_fence.hpp"

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

namespace settle {

struct cluster_member {
  std::string id;
  std::string address;
  std::string state; // "up", "joining", "leaving" or "down"
  std::vector<shard_fence> leases;
};

struct shard_route {
  enum class place { local, remote, unowned };
  place where = place::unowned;
  std::string node;
  std::int64_t epoch = 0;
};

class shard_map {
public:
  using clock = std::chrono::steady_clock;

  // `clustered`: ownership comes from assign(); otherwise this node owns every shard.
  shard_map(std::string self, std::uint32_t shard_count, bool clustered);

  const std::string& self() const noexcept { return self_; }
  std::uint32_t shard_count() const noexcept { return shard_count_; }
  bool clustered() const noexcept { return clustered_; }

  struct owner {
    std::string node; // empty: nobody
    std::int64_t epoch = 0;
  };

  // Replaces the view: the owner of every shard, the members, and until when this
  // node's own leases are to be trusted.
  void assign(std::vector<owner> owners, std::vector<cluster_member> members,
              clock::time_point own_leases_valid_until);

  shard_route route(std::uint32_t shard) const;
  std::uint32_t owned_shards() const;
  std::vector<cluster_member> members() const;

private:
  const std::string self_;
  const std::uint32_t shard_count_;
  const bool clustered_;
  mutable std::mutex mutex_;
  std::vector<owner> owners_;
  std::vector<cluster_member> members_;
  clock::time_point valid_until_;
};

} // namespace settle
