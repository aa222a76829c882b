#include "domain/shard_map.hpp"

namespace settle {

shard_map::shard_map(std::string self, std::uint32_t shard_count, bool clustered)
    : self_(std::move(self))
    , shard_count_(shard_count)
    , clustered_(clustered)
    , owners_(shard_count) {
  if (!clustered_) {
    for (auto& owner : owners_) {
      owner.node = self_;
    }
  }
}

void shard_map::assign(std::vector<owner> owners, std::vector<cluster_member> members,
                       clock::time_point own_leases_valid_until) {
  std::lock_guard lock{mutex_};
  owners_ = std::move(owners);
  owners_.resize(shard_count_);
  members_ = std::move(members);
  valid_until_ = own_leases_valid_until;
}

shard_route shard_map::route(std::uint32_t shard) const {
  if (!clustered_) {
    return {shard_route::place::local, self_, 0}; // no lock on a single node's hot path
  }
  std::lock_guard lock{mutex_};
  const auto& owner = owners_.at(shard);
  if (owner.node.empty()) {
    return {};
  }
  if (owner.node != self_) {
    return {shard_route::place::remote, owner.node, owner.epoch};
  }
  if (clock::now() >= valid_until_) {
    return {};
  }
  return {shard_route::place::local, owner.node, owner.epoch};
}

std::uint32_t shard_map::owned_shards() const {
  std::lock_guard lock{mutex_};
  if (clustered_ && clock::now() >= valid_until_) {
    return 0;
  }
  std::uint32_t owned = 0;
  for (const auto& owner : owners_) {
    owned += owner.node == self_ ? 1 : 0;
  }
  return owned;
}

std::vector<cluster_member> shard_map::members() const {
  std::lock_guard lock{mutex_};
  if (!clustered_) {
    cluster_member single{self_, "", "up", {}};
    for (std::uint32_t shard = 0; shard < shard_count_; ++shard) {
      single.leases.push_back({shard, 0});
    }
    return {single};
  }
  return members_;
}

} // namespace settle
