// The event hub hears every committed event from the ledger writer and hands each
// subscriber the ones it may see (its tenant's, in its topics). A subscriber with
// `since` first gets the stored events after it, read page by page from the database,
// while live events for it are held back; then the held ones follow. Every subscriber
// gets each seq at most once and in increasing order, so the seam between stored and
// live events has no gap and no duplicate. The hub never waits for a subscriber: the
// connection decides what to do when its client reads too slowly.
#include "actors/event_hub.hpp"

#include "actors/entity_request.hpp"

#include <caf/all.hpp>

#include <algorithm>
#include <unordered_map>

namespace settle {
namespace {

// Stored events read per replay step.
constexpr std::int64_t replay_page = 100;

// A replay reads its next page only while fewer frames than this wait for the client.
constexpr std::size_t replay_backlog_limit = 256;
constexpr auto replay_pause = std::chrono::milliseconds{20};

// Live events held back per subscriber while its replay runs; beyond, it is dropped
// (its connection closes and the client resumes with `since`).
constexpr std::size_t held_back_limit = 10000;

struct subscriber {
  stream_subscription subscription;
  bool everything = false;
  bool replaying = false;
  std::vector<persistence::event_record> held_back;
  std::int64_t last_seq = 0;
};

struct event_hub_state {
  storage_reader_actor reader;
  std::shared_ptr<const response_renderer> renderer;
  std::unordered_map<std::uint64_t, subscriber> subscribers;
  std::vector<webhook_dispatcher_actor> watchers;
  static inline const char* name = "event_hub";
};

using hub_pointer = event_hub_actor::stateful_pointer<event_hub_state>;

bool may_see(const subscriber& who, const persistence::event_record& event) {
  const auto& requester = who.subscription.who;
  bool tenant_ok = requester.admin
                   || std::find(event.tenants.begin(), event.tenants.end(), requester.tenant.value)
                        != event.tenants.end();
  if (!tenant_ok) {
    return false;
  }
  if (who.everything) {
    return true;
  }
  const auto& topics = who.subscription.topics;
  return std::any_of(event.topics.begin(), event.topics.end(), [&](const std::string& topic) {
    return std::find(topics.begin(), topics.end(), topic) != topics.end();
  });
}

// Hands `event` over unless it was already handed over.
void deliver(hub_pointer self, subscriber& who, const persistence::event_record& event) {
  if (event.seq <= who.last_seq) {
    return;
  }
  who.last_seq = event.seq;
  if (may_see(who, event)) {
    who.subscription.deliver(self->state.renderer->event(event));
  }
}

void replay(hub_pointer self, std::uint64_t id, std::int64_t after);

void finish_replay(hub_pointer self, subscriber& who) {
  who.replaying = false;
  for (const auto& event : who.held_back) {
    deliver(self, who, event);
  }
  who.held_back.clear();
}

void replay(hub_pointer self, std::uint64_t id, std::int64_t after) {
  auto found = self->state.subscribers.find(id);
  if (found == self->state.subscribers.end()) {
    return;
  }
  const auto& backlog = found->second.subscription.backlog;
  if (backlog && backlog->load() > replay_backlog_limit) {
    self->delayed_send(self, replay_pause, replay_atom::value, id, after);
    return;
  }
  const auto& requester = found->second.subscription.who;
  persistence::event_query query{requester.admin ? tenant_name{} : requester.tenant, after,
                                 replay_page};
  self->request(self->state.reader, entity_timeout, list_atom::value, event_tag_atom::value, query)
    .then(
      [self, id](persistence::event_page& page) {
        auto found = self->state.subscribers.find(id);
        if (found == self->state.subscribers.end()) {
          return;
        }
        auto& who = found->second;
        for (const auto& event : page.events) {
          deliver(self, who, event);
        }
        if (page.has_more) {
          replay(self, id, page.events.back().seq);
        } else {
          finish_replay(self, who);
        }
      },
      [self, id](caf::error&) {
        // The database is unreachable: the client gets closed and resumes with since.
        if (auto found = self->state.subscribers.find(id); found != self->state.subscribers.end()) {
          found->second.subscription.deliver({});
          self->state.subscribers.erase(found);
        }
      });
}

void publish(hub_pointer self, const std::vector<persistence::event_record>& events) {
  if (!events.empty()) {
    for (const auto& watcher : self->state.watchers) {
      self->anon_send(watcher, poll_atom::value, events.back().seq);
    }
  }
  for (auto& [id, who] : self->state.subscribers) {
    if (who.replaying) {
      who.held_back.insert(who.held_back.end(), events.begin(), events.end());
      if (who.held_back.size() > held_back_limit) {
        who.subscription.deliver({}); // an empty frame asks the connection to close
        who.held_back.clear();
      }
      continue;
    }
    for (const auto& event : events) {
      deliver(self, who, event);
    }
  }
}

void subscribe(hub_pointer self, stream_subscription& subscription) {
  auto id = subscription.id;
  subscriber who;
  who.everything = std::find(subscription.topics.begin(), subscription.topics.end(), "*")
                   != subscription.topics.end();
  who.replaying = subscription.has_since;
  who.last_seq = subscription.has_since ? subscription.since : 0;
  auto since = subscription.since;
  bool has_since = subscription.has_since;
  who.subscription = std::move(subscription);
  self->state.subscribers[id] = std::move(who);
  if (has_since) {
    replay(self, id, since);
  }
}

event_hub_actor::behavior_type event_hub(hub_pointer self, storage_reader_actor reader,
                                         std::shared_ptr<const response_renderer> renderer) {
  self->state.reader = std::move(reader);
  self->state.renderer = std::move(renderer);
  return {
    [self](watch_atom, webhook_dispatcher_actor& watcher) {
      self->state.watchers.push_back(std::move(watcher));
    },
    [self](publish_atom, const std::vector<persistence::event_record>& events) {
      publish(self, events);
    },
    [self](subscribe_atom, stream_subscription& subscription) { subscribe(self, subscription); },
    [self](unsubscr_atom, std::uint64_t id) { self->state.subscribers.erase(id); },
    [self](replay_atom, std::uint64_t id, std::int64_t after) { replay(self, id, after); },
  };
}

} // namespace

event_hub_actor spawn_event_hub(caf::actor_system& system, storage_reader_actor reader,
                                std::shared_ptr<const response_renderer> renderer) {
  return system.spawn(event_hub, std::move(reader), std::move(renderer));
}

} // namespace settle
