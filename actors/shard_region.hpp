// The shard region of one kind of entity: it finds the actor of an id, or loads the
// entity from the database and spawns its actor, and passivates actors that stayed
// idle so memory stays bounded. Entities are placed on shards by shard_of(id). A shard
// owned by another node is looked up at that node's region; an actor is spawned only
// for a shard this node holds the lease of, and lives only as long as that lease (its
// epoch travels with every answer, so commits are fenced by it).
// Include only from .cpp files: it pulls in CAF.
#pragma once

#include "actors/entity_request.hpp"
#include "actors/interfaces.hpp"
#include "actors/peer_directory.hpp"
#include "config/options.hpp"
#include "domain/assert.hpp"
#include "domain/ids.hpp"
#include "domain/metrics.hpp"
#include "domain/shard_map.hpp"

#include <caf/all.hpp>

#include <malloc.h>

#include <algorithm>
#include <chrono>
#include <unordered_map>
#include <vector>

namespace settle {

namespace detail {

inline caf::error shard_unavailable() {
  return make_settle_error(settle_errc::unavailable,
                           "this object's shard is moving between nodes; retry shortly");
}

} // namespace detail

// What a region needs to know of its entity kind:
//   using handle = ...;  using record = ...;  using tag = ...atom;
//   static bool may_exist(const std::string& id);
//   static handle spawn(caf::actor_system&, record, const dependencies&, shard_fence);
//   static caf::actor of(const peer_regions&);  // the same region on another node
template <class Traits>
struct shard_region_state {
  using handle = typename Traits::handle;
  using clock = std::chrono::steady_clock;
  using promise_type = caf::typed_response_promise<handle, persistence::shard_fence>;

  struct resident_entity {
    handle actor;
    clock::time_point last_used;
    persistence::shard_fence fence;
  };

  typename Traits::dependencies dependencies;
  storage_reader_actor reader;
  config::actor_options options;
  std::shared_ptr<const shard_map> shards;
  std::shared_ptr<const peer_directory> peers;
  std::unordered_map<std::string, resident_entity> resident;
  std::unordered_map<caf::actor_addr, std::string> ids_by_address;
  std::unordered_map<std::string, std::vector<promise_type>> loading;
  // Lookups passed to the owner's region on another node, until it answers.
  std::unordered_map<std::uint64_t, promise_type> forwarded;
  std::uint64_t next_forward = 0;
  std::size_t exits_since_trim = 0;
  static inline const char* name = "shard_region";

  shard_region_state() = default;
  shard_region_state(const shard_region_state&) = delete;
  shard_region_state& operator=(const shard_region_state&) = delete;

  // When the region stops (at shutdown, or should it fail), whoever waits on it is
  // answered: CAF 0.17 drops an undelivered promise silently, and an order actor awaiting
  // it would never take another message, not even its exit. Its entities stop with it.
  // Links would stop them too, but CAF 0.17 finds the link to remove by a linear search of
  // the region's links each time an entity passivates, which makes passivation quadratic
  // in the number of resident entities (docs/BENCHMARKS.md, "Measurements behind the code").
  ~shard_region_state() {
    for (auto& [id, promises] : loading) {
      for (auto& promise : promises) {
        promise.deliver(detail::shard_unavailable());
      }
    }
    for (auto& [ticket, promise] : forwarded) {
      promise.deliver(detail::shard_unavailable());
    }
    for (const auto& [id, entity] : resident) {
      caf::anon_send_exit(entity.actor, caf::exit_reason::user_shutdown);
    }
  }
};

// Where a region's collaborators come from.
struct region_context {
  storage_reader_actor reader;
  config::actor_options options;
  std::shared_ptr<const shard_map> shards;
  std::shared_ptr<const peer_directory> peers;
};

namespace detail {

template <class Traits>
using region_pointer =
  typename region_actor<typename Traits::handle>::template stateful_pointer<shard_region_state<Traits>>;

// The lease under which this node may run the shard's actors now, if it may.
inline std::optional<persistence::shard_fence> local_lease(const shard_map& shards,
                                                           std::uint32_t shard) {
  auto route = shards.route(shard);
  if (route.where != shard_route::place::local) {
    return std::nullopt;
  }
  return persistence::shard_fence{shard, route.epoch};
}

template <class Traits>
void fail_loading(region_pointer<Traits> self, const std::string& id, caf::error error) {
  auto& state = self->state;
  for (auto& promise : state.loading[id]) {
    promise.deliver(error);
  }
  state.loading.erase(id);
}

template <class Traits>
void finish_loading(region_pointer<Traits> self, const std::string& id,
                    typename Traits::record& record) {
  auto& state = self->state;
  auto lease = local_lease(*state.shards, shard_of(id, state.shards->shard_count()));
  if (!lease) {
    fail_loading<Traits>(self, id, shard_unavailable());
    return;
  }
  auto actor = Traits::spawn(self->system(), std::move(record), state.dependencies, *lease);
  // Monitored to forget it when it passivates; it stops with its region (see the state).
  self->monitor(actor);
  state.ids_by_address[actor.address()] = id;
  state.resident[id] = {actor, self->clock().now(), *lease};
  metrics_registry::instance().add_actors(Traits::kind, 1);
  for (auto& promise : state.loading[id]) {
    promise.deliver(actor, *lease);
  }
  state.loading.erase(id);
}

// Stops the actor of an entity whose shard this node no longer holds at its epoch; its
// reservations die with it, and commits made under its epoch are refused.
template <class Traits>
void retire(region_pointer<Traits> self, const std::string& id) {
  auto& state = self->state;
  auto found = state.resident.find(id);
  self->anon_send(found->second.actor, retire_atom::value);
  state.resident.erase(found);
}

// The entity's actor on this node, loading it first if needed.
template <class Traits>
caf::result<typename Traits::handle, persistence::shard_fence>
locate(region_pointer<Traits> self, const std::string& id) {
  auto& state = self->state;
  if (!Traits::may_exist(id)) {
    return make_settle_error(settle_errc::not_found, Traits::not_found_message);
  }
  auto lease = local_lease(*state.shards, shard_of(id, state.shards->shard_count()));
  if (!lease) {
    return shard_unavailable();
  }
  if (auto found = state.resident.find(id); found != state.resident.end()) {
    if (found->second.fence.epoch == lease->epoch) {
      found->second.last_used = self->clock().now();
      return {found->second.actor, found->second.fence};
    }
    retire<Traits>(self, id);
  }
  auto promise = self->template make_response_promise<typename Traits::handle,
                                                       persistence::shard_fence>();
  auto& waiting = state.loading[id];
  waiting.push_back(promise);
  if (waiting.size() == 1) {
    // No timeout: the reader is on this node (see timeout_for).
    self->request(state.reader, caf::infinite, load_atom::value,
                  typename Traits::tag{}, id)
      .then([self, id](typename Traits::record& record) { finish_loading<Traits>(self, id, record); },
            [self, id](caf::error& error) { fail_loading<Traits>(self, id, std::move(error)); });
  }
  return promise;
}

// The promise of a lookup passed to another node, now answered, out of the waiting list.
template <class Traits>
typename shard_region_state<Traits>::promise_type take_forwarded(region_pointer<Traits> self,
                                                                 std::uint64_t ticket) {
  auto found = self->state.forwarded.find(ticket);
  SETTLE_ASSERT(found != self->state.forwarded.end());
  auto promise = std::move(found->second);
  self->state.forwarded.erase(found);
  return promise;
}

// The entity's actor wherever its shard lives: here, or at the owner's region.
template <class Traits>
caf::result<typename Traits::handle, persistence::shard_fence>
lookup(region_pointer<Traits> self, const std::string& id) {
  using handle = typename Traits::handle;
  auto& state = self->state;
  if (!Traits::may_exist(id)) {
    return make_settle_error(settle_errc::not_found, Traits::not_found_message);
  }
  auto route = state.shards->route(shard_of(id, state.shards->shard_count()));
  if (route.where == shard_route::place::local) {
    return locate<Traits>(self, id);
  }
  auto peer = route.where == shard_route::place::remote ? state.peers->find(route.node)
                                                        : std::nullopt;
  if (!peer) {
    return shard_unavailable();
  }
  auto region = caf::actor_cast<region_actor<handle>>(Traits::of(*peer));
  auto promise = self->template make_response_promise<handle, persistence::shard_fence>();
  auto ticket = state.next_forward++;
  state.forwarded.emplace(ticket, promise);
  self->request(region, entity_timeout, locate_atom::value, id)
    .then(
      [self, ticket](handle& actor, persistence::shard_fence& fence) {
        take_forwarded<Traits>(self, ticket).deliver(actor, fence);
      },
      [self, ticket](caf::error& error) { take_forwarded<Traits>(self, ticket).deliver(error); });
  return promise;
}

// Retires the actors of shards this node no longer holds at their epoch.
template <class Traits>
void rebalance(region_pointer<Traits> self) {
  auto& state = self->state;
  std::vector<std::string> stale;
  for (const auto& [id, entity] : state.resident) {
    auto lease = local_lease(*state.shards, entity.fence.shard);
    if (!lease || lease->epoch != entity.fence.epoch) {
      stale.push_back(id);
    }
  }
  for (const auto& id : stale) {
    retire<Traits>(self, id);
  }
}

// Asks idle entities to stop; the least recently used go first when the region holds
// more than its bound. An entity with work in flight ignores the request.
template <class Traits>
void sweep(region_pointer<Traits> self) {
  auto& state = self->state;
  // The actor system's clock: the simulation's virtual one when simulated.
  auto now = self->clock().now();
  auto idle_limit = std::chrono::seconds{state.options.passivate_after_seconds};
  std::vector<std::pair<std::chrono::steady_clock::time_point, typename Traits::handle>> by_age;
  for (auto& [id, entity] : state.resident) {
    if (now - entity.last_used >= idle_limit) {
      self->anon_send(entity.actor, passivate_atom::value);
    } else {
      by_age.emplace_back(entity.last_used, entity.actor);
    }
  }
  if (state.resident.size() > state.options.max_resident_entities) {
    auto excess = state.resident.size() - state.options.max_resident_entities;
    excess = std::min(excess, by_age.size());
    std::partial_sort(by_age.begin(), by_age.begin() + static_cast<std::ptrdiff_t>(excess),
                      by_age.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    for (std::size_t i = 0; i < excess; ++i) {
      self->anon_send(by_age[i].second, passivate_atom::value);
    }
  }
}

// After many actors passivated, hands the memory they freed back to the system: glibc
// keeps freed pages otherwise, and idle accounts are meant to cost almost nothing.
template <class Traits>
void return_freed_memory(region_pointer<Traits> self) {
  constexpr std::size_t exits_worth_a_trim = 1000;
  if (self->state.exits_since_trim >= exits_worth_a_trim) {
    self->state.exits_since_trim = 0;
    malloc_trim(0);
  }
}

template <class Traits>
std::chrono::milliseconds sweep_interval(const config::actor_options& options) {
  auto half = std::chrono::milliseconds{options.passivate_after_seconds * 500};
  return std::max(half, std::chrono::milliseconds{500});
}

template <class Traits>
typename region_actor<typename Traits::handle>::behavior_type
shard_region(region_pointer<Traits> self, typename Traits::dependencies dependencies,
             region_context context) {
  auto& state = self->state;
  state.dependencies = std::move(dependencies);
  state.reader = std::move(context.reader);
  state.options = context.options;
  state.shards = std::move(context.shards);
  state.peers = std::move(context.peers);
  self->set_down_handler([self](caf::down_msg& down) {
    auto& state = self->state;
    auto found = state.ids_by_address.find(down.source);
    if (found == state.ids_by_address.end()) {
      return;
    }
    // A retired actor may already have a successor under the same id.
    auto resident = state.resident.find(found->second);
    if (resident != state.resident.end() && resident->second.actor.address() == down.source) {
      state.resident.erase(resident);
    }
    state.ids_by_address.erase(found);
    ++state.exits_since_trim;
    metrics_registry::instance().add_actors(Traits::kind, -1);
  });
  self->delayed_send(self, sweep_interval<Traits>(state.options), sweep_atom::value);
  return {
    [self](lookup_atom, const std::string& id) { return lookup<Traits>(self, id); },
    [self](locate_atom, const std::string& id) { return locate<Traits>(self, id); },
    [self](rebalance_atom) { rebalance<Traits>(self); },
    [self](sweep_atom) {
      return_freed_memory<Traits>(self);
      sweep<Traits>(self);
      self->delayed_send(self, sweep_interval<Traits>(self->state.options), sweep_atom::value);
    },
  };
}

} // namespace detail

template <class Traits>
region_actor<typename Traits::handle>
spawn_shard_region(caf::actor_system& system, typename Traits::dependencies dependencies,
                   region_context context) {
  return system.spawn(detail::shard_region<Traits>, std::move(dependencies), std::move(context));
}

} // namespace settle
