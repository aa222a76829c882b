// The lease epoch under which the actor of an entity on `shard` works. A node's view of
// its leases shows them so; in a cluster a commit is refused unless the shard's lease
// still has the epoch of every actor that took part in it, so a node that lost a shard
// can no longer write for it.
#pragma once

#include <cstdint>

namespace settle {

struct shard_fence {
  std::uint32_t shard = 0;
  std::int64_t epoch = 0;
};

} // namespace settle
