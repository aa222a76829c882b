// The regions of the other nodes of the cluster, as the cluster manager connected to
// them; read by this node's regions to follow a shard to its owner. Thread-safe.
// Include only from .cpp files: it pulls in CAF.
#pragma once

#include <caf/actor.hpp>

#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace settle {

struct peer_regions {
  caf::actor accounts;
  caf::actor users;
  caf::actor orders;
  caf::actor webhooks;
};

class peer_directory {
public:
  void set(const std::string& node, peer_regions regions) {
    std::lock_guard lock{mutex_};
    peers_[node] = std::move(regions);
  }

  void forget(const std::string& node) {
    std::lock_guard lock{mutex_};
    peers_.erase(node);
  }

  std::optional<peer_regions> find(const std::string& node) const {
    std::lock_guard lock{mutex_};
    auto found = peers_.find(node);
    if (found == peers_.end()) {
      return std::nullopt;
    }
    return found->second;
  }

private:
  mutable std::mutex mutex_;
  std::unordered_map<std::string, peer_regions> peers_;
};

} // namespace settle
