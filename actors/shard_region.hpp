// The shard region of one kind of entity: it finds the actor of an id, or loads the
// entity from the database and spawns its actor, and passivates actors that stayed
// idle so memory stays bounded. Entities are placed on shards by shard_of(id); today
// every shard is local, and the cluster assigns shards to nodes on the same key.
// Include only from .cpp files: it pulls in CAF.
#pragma once

#include "actors/interfaces.hpp"
#include "config/options.hpp"
#include "domain/ids.hpp"
#include "domain/metrics.hpp"

#include <caf/all.hpp>

#include <algorithm>
#include <chrono>
#include <unordered_map>
#include <vector>

namespace settle {

// What a region needs to know of its entity kind:
//   using handle = ...;  using record = ...;  using tag = ...atom;
//   static bool may_exist(const std::string& id);
//   static handle spawn(caf::actor_system&, record, const dependencies&);
template <class Traits>
struct shard_region_state {
  using handle = typename Traits::handle;
  using clock = std::chrono::steady_clock;

  struct resident_entity {
    handle actor;
    clock::time_point last_used;
  };

  typename Traits::dependencies dependencies;
  storage_reader_actor reader;
  config::actor_options options;
  std::uint32_t shard_count = 64;
  std::unordered_map<std::string, resident_entity> resident;
  std::unordered_map<caf::actor_addr, std::string> ids_by_address;
  std::unordered_map<std::string, std::vector<caf::typed_response_promise<handle>>> loading;
  static inline const char* name = "shard_region";
};

namespace detail {

template <class Traits>
using region_pointer =
  typename region_actor<typename Traits::handle>::template stateful_pointer<shard_region_state<Traits>>;

template <class Traits>
void finish_loading(region_pointer<Traits> self, const std::string& id,
                    typename Traits::record& record) {
  auto& state = self->state;
  auto actor = Traits::spawn(self->system(), std::move(record), state.dependencies);
  // Monitored to forget it when it passivates; linked so that it stops with its region
  // at shutdown (a passivation is a normal exit, which a link ignores).
  self->monitor(actor);
  self->link_to(actor);
  state.ids_by_address[actor.address()] = id;
  state.resident[id] = {actor, std::chrono::steady_clock::now()};
  metrics_registry::instance().add_actors(Traits::kind, 1);
  for (auto& promise : state.loading[id]) {
    promise.deliver(actor);
  }
  state.loading.erase(id);
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
caf::result<typename Traits::handle> lookup(region_pointer<Traits> self, const std::string& id) {
  using handle = typename Traits::handle;
  auto& state = self->state;
  if (!Traits::may_exist(id)) {
    return make_settle_error(settle_errc::not_found, Traits::not_found_message);
  }
  if (auto found = state.resident.find(id); found != state.resident.end()) {
    found->second.last_used = std::chrono::steady_clock::now();
    return found->second.actor;
  }
  auto promise = self->template make_response_promise<handle>();
  auto& waiting = state.loading[id];
  waiting.push_back(promise);
  if (waiting.size() == 1) {
    self->request(state.reader, std::chrono::seconds{30}, load_atom::value,
                  typename Traits::tag{}, id)
      .then([self, id](typename Traits::record& record) { finish_loading<Traits>(self, id, record); },
            [self, id](caf::error& error) { fail_loading<Traits>(self, id, std::move(error)); });
  }
  return promise;
}

// Asks idle entities to stop; the least recently used go first when the region holds
// more than its bound. An entity with work in flight ignores the request.
template <class Traits>
void sweep(region_pointer<Traits> self) {
  auto& state = self->state;
  auto now = std::chrono::steady_clock::now();
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

template <class Traits>
std::chrono::milliseconds sweep_interval(const config::actor_options& options) {
  auto half = std::chrono::milliseconds{options.passivate_after_seconds * 500};
  return std::max(half, std::chrono::milliseconds{500});
}

template <class Traits>
typename region_actor<typename Traits::handle>::behavior_type
shard_region(region_pointer<Traits> self, typename Traits::dependencies dependencies,
             storage_reader_actor reader, config::actor_options options) {
  auto& state = self->state;
  state.dependencies = std::move(dependencies);
  state.reader = std::move(reader);
  state.options = options;
  self->set_down_handler([self](caf::down_msg& down) {
    auto& state = self->state;
    auto found = state.ids_by_address.find(down.source);
    if (found == state.ids_by_address.end()) {
      return;
    }
    state.resident.erase(found->second);
    state.ids_by_address.erase(found);
    metrics_registry::instance().add_actors(Traits::kind, -1);
  });
  self->delayed_send(self, sweep_interval<Traits>(options), sweep_atom::value);
  return {
    [self](lookup_atom, const std::string& id) { return lookup<Traits>(self, id); },
    [self](sweep_atom) {
      sweep<Traits>(self);
      self->delayed_send(self, sweep_interval<Traits>(self->state.options), sweep_atom::value);
    },
  };
}

} // namespace detail

template <class Traits>
region_actor<typename Traits::handle>
spawn_shard_region(caf::actor_system& system, typename Traits::dependencies dependencies,
                   storage_reader_actor reader, config::actor_options options) {
  return system.spawn(detail::shard_region<Traits>, std::move(dependencies), std::move(reader),
                      options);
}

} // namespace settle
