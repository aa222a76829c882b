// The cluster's arbiter is the database: members announce themselves with a heartbeat,
// and each shard has one lease row (owner, epoch, expiry). A node owns a shard only
// while its lease is unexpired; taking a lease over raises its epoch, and every commit
// is fenced by the epoch it was made under (ledger_store::check_fences). Times come from
// the database's clock, so the nodes' clocks never matter. PostgreSQL only; blocking:
// used by the cluster manager's own thread.
#pragma once

#include "persistence/storage_url.hpp"
#include "persistence/write_set.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace soci {
class session;
}

namespace settle::persistence {

struct member_row {
  std::string node_id;
  std::int64_t slot = 0;
  std::string address;
  std::string state;  // "up" or "leaving"
  bool alive = false; // its heartbeat is younger than a lease
};

struct lease_row {
  std::uint32_t shard = 0;
  std::string owner; // empty: released or never taken
  std::int64_t epoch = 0;
  bool live = false; // owned and unexpired
};

class lease_store {
public:
  lease_store(const storage_url& url, std::uint32_t shard_count, std::int64_t lease_milliseconds);
  ~lease_store();
  lease_store(const lease_store&) = delete;
  lease_store& operator=(const lease_store&) = delete;

  // Creates the lease rows if needed and registers the node; answers its slot (0-15),
  // which keeps the ordinals issued by different nodes apart.
  std::int64_t join(const std::string& node_id, const std::string& address);
  void heartbeat(const std::string& node_id, const std::string& state);
  void leave(const std::string& node_id);

  std::vector<member_row> members();
  std::vector<lease_row> leases();

  // Takes a shard that is free or whose lease expired; answers the new epoch.
  std::optional<std::int64_t> acquire(std::uint32_t shard, const std::string& node_id);
  // Extends the leases still held at these epochs; answers the shards renewed.
  std::vector<std::uint32_t> renew(const std::string& node_id,
                                   const std::vector<shard_fence>& held);
  void release(const std::string& node_id, const shard_fence& lease);

  void reconnect();

private:
  void open();

  storage_url url_;
  std::uint32_t shard_count_;
  std::int64_t lease_milliseconds_;
  std::unique_ptr<soci::session> session_;
};

} // namespace settle::persistence
