// The shard map: a single node owns every shard at epoch 0; a node of a cluster routes each
// shard to its owner as last assigned, and trusts its own leases only until the deadline
// it was given (a paused node stops serving by itself); the members as assigned.
#include "domain/shard_map.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <initializer_list>
#include <vector>

namespace {

using settle::shard_map;
using settle::shard_route;
using namespace std::chrono_literals;

std::vector<shard_map::owner> owners_of(std::initializer_list<shard_map::owner> owners) {
  return owners;
}

} // namespace

TEST_CASE("a single node owns every shard at epoch 0", "[shard_map]") {
  shard_map shards{"node-1", 8, false};
  CHECK_FALSE(shards.clustered());
  CHECK(shards.shard_count() == 8);
  CHECK(shards.owned_shards() == 8);
  for (std::uint32_t shard = 0; shard < 8; ++shard) {
    const auto route = shards.route(shard);
    CHECK(route.where == shard_route::place::local);
    CHECK(route.node == "node-1");
    CHECK(route.epoch == 0);
  }
  const auto members = shards.members();
  REQUIRE(members.size() == 1);
  CHECK(members[0].id == "node-1");
  CHECK(members[0].state == "up");
  CHECK(members[0].leases.size() == 8);
}

TEST_CASE("a cluster node owns nothing until shards are assigned", "[shard_map]") {
  shard_map shards{"node-1", 4, true};
  CHECK(shards.owned_shards() == 0);
  for (std::uint32_t shard = 0; shard < 4; ++shard) {
    CHECK(shards.route(shard).where == shard_route::place::unowned);
  }
  CHECK(shards.members().empty());
}

TEST_CASE("a cluster node routes each shard to its owner at the owner's epoch", "[shard_map]") {
  shard_map shards{"node-1", 4, true};
  settle::cluster_member other{"node-2", "127.0.0.1:7402", "up", {{1, 3}}};
  shards.assign(owners_of({{"node-1", 2}, {"node-2", 3}, {"", 0}, {"node-1", 5}}), {other},
                shard_map::clock::now() + 1h);
  CHECK(shards.owned_shards() == 2);
  const auto own = shards.route(0);
  CHECK(own.where == shard_route::place::local);
  CHECK(own.epoch == 2);
  const auto remote = shards.route(1);
  CHECK(remote.where == shard_route::place::remote);
  CHECK(remote.node == "node-2");
  CHECK(remote.epoch == 3);
  CHECK(shards.route(2).where == shard_route::place::unowned);
  CHECK(shards.route(3).epoch == 5);
  REQUIRE(shards.members().size() == 1);
  CHECK(shards.members()[0].address == "127.0.0.1:7402");
}

TEST_CASE("a node stops serving its own shards once its leases are past their deadline, "
          "but still routes to the others",
          "[shard_map]") {
  shard_map shards{"node-1", 2, true};
  shards.assign(owners_of({{"node-1", 1}, {"node-2", 1}}), {}, shard_map::clock::now() - 1ms);
  CHECK(shards.owned_shards() == 0);
  CHECK(shards.route(0).where == shard_route::place::unowned);
  CHECK(shards.route(1).where == shard_route::place::remote);
}

TEST_CASE("an assignment shorter than the shard count leaves the rest unowned", "[shard_map]") {
  shard_map shards{"node-1", 3, true};
  shards.assign(owners_of({{"node-1", 1}}), {}, shard_map::clock::now() + 1h);
  CHECK(shards.owned_shards() == 1);
  CHECK(shards.route(1).where == shard_route::place::unowned);
  CHECK(shards.route(2).where == shard_route::place::unowned);
}
