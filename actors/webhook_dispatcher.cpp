#include "actors/webhook_dispatcher.hpp"

#include <caf/all.hpp>

#include <chrono>
#include <unordered_map>

namespace settle {
namespace {

// How often the enabled endpoints are looked for (a takeover, a re-enabled endpoint)
// and each endpoint looks at the log once more, in case a notice was missed.
constexpr std::chrono::seconds tick_interval{2};

struct address_checker_state {
  std::shared_ptr<webhook_transport> transport;
  std::unordered_map<std::uint64_t, caf::typed_response_promise<bool>> waiting;
  std::uint64_t next_ticket = 0;
  static inline const char* name = "webhook_address_checker";
};

using checker_pointer = webhook_address_checker_actor::stateful_pointer<address_checker_state>;

webhook_address_checker_actor::behavior_type
webhook_address_checker(checker_pointer self, std::shared_ptr<webhook_transport> transport) {
  self->state.transport = std::move(transport);
  return {
    [self](check_atom, const std::string& url) -> caf::result<bool> {
      auto& state = self->state;
      auto ticket = state.next_ticket++;
      auto promise = self->make_response_promise<bool>();
      state.waiting.emplace(ticket, promise);
      auto handle = caf::actor_cast<webhook_address_checker_actor>(self);
      state.transport->check_address(url, [handle, ticket](std::optional<std::string> refusal) {
        caf::anon_send(handle, checked_atom::value, ticket, refusal.value_or(std::string{}));
      });
      return promise;
    },
    [self](checked_atom, std::uint64_t ticket, const std::string& refusal) {
      auto found = self->state.waiting.find(ticket);
      if (found == self->state.waiting.end()) {
        return;
      }
      if (refusal.empty()) {
        found->second.deliver(true);
      } else {
        found->second.deliver(make_settle_error(settle_errc::invalid_parameter, refusal, "url"));
      }
      self->state.waiting.erase(found);
    },
  };
}

struct dispatcher_state {
  webhook_region_actor endpoints;
  storage_reader_actor reader;
  std::shared_ptr<const shard_map> shards;
  std::unordered_map<std::string, webhook_endpoint_actor> running;
  static inline const char* name = "webhook_dispatcher";
};

using dispatcher_pointer = webhook_dispatcher_actor::stateful_pointer<dispatcher_state>;

bool is_local(const shard_map& shards, const std::string& id) {
  return shards.route(shard_of(id, shards.shard_count())).where == shard_route::place::local;
}

// Starts (or finds) the actor of every enabled endpoint of this node's shards, and
// forgets the others: they stopped, or run on another node now.
void start_enabled(dispatcher_pointer self, const std::vector<std::string>& ids) {
  auto& state = self->state;
  std::unordered_map<std::string, webhook_endpoint_actor> still_running;
  for (const auto& id : ids) {
    if (!is_local(*state.shards, id)) {
      continue;
    }
    if (auto found = state.running.find(id); found != state.running.end()) {
      still_running.emplace(id, found->second);
    }
    self->request(state.endpoints, caf::infinite, lookup_atom::value, id)
      .then(
        [self, id](webhook_endpoint_actor& actor, persistence::shard_fence&) {
          self->state.running[id] = actor;
          self->anon_send(actor, poll_atom::value, std::int64_t{0});
        },
        [](caf::error&) {
          // Moving between nodes, or the database is away: the next tick tries again.
        });
  }
  state.running = std::move(still_running);
}

webhook_dispatcher_actor::behavior_type
webhook_dispatcher(dispatcher_pointer self, webhook_region_actor endpoints,
                   storage_reader_actor reader, std::shared_ptr<const shard_map> shards,
                   event_hub_actor hub) {
  auto& state = self->state;
  state.endpoints = std::move(endpoints);
  state.reader = std::move(reader);
  state.shards = std::move(shards);
  self->anon_send(hub, watch_atom::value, caf::actor_cast<webhook_dispatcher_actor>(self));
  self->anon_send(self, tick_atom::value);
  return {
    [self](poll_atom, std::int64_t seq) {
      for (const auto& [id, actor] : self->state.running) {
        self->anon_send(actor, poll_atom::value, seq);
      }
    },
    [self](tick_atom) {
      self->request(self->state.reader, caf::infinite, list_atom::value, webhook_tag_atom::value)
        .then([self](std::vector<std::string>& ids) { start_enabled(self, ids); },
              [](caf::error&) {});
      self->delayed_send(self, tick_interval, tick_atom::value);
    },
  };
}

} // namespace

webhook_address_checker_actor spawn_webhook_address_checker(
  caf::actor_system& system, std::shared_ptr<webhook_transport> transport) {
  return system.spawn(webhook_address_checker, std::move(transport));
}

webhook_dispatcher_actor spawn_webhook_dispatcher(caf::actor_system& system,
                                                  webhook_region_actor endpoints,
                                                  storage_reader_actor reader,
                                                  std::shared_ptr<const shard_map> shards,
                                                  event_hub_actor hub) {
  return system.spawn(webhook_dispatcher, std::move(endpoints), std::move(reader),
                      std::move(shards), std::move(hub));
}

} // namespace settle
