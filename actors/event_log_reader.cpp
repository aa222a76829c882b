#include "actors/event_log_reader.hpp"

#include <caf/all.hpp>

#include <chrono>

namespace settle {
namespace {

// How often an idle log is read again: the delay a remote event adds at most.
constexpr std::chrono::milliseconds idle_poll{25};
constexpr std::chrono::milliseconds failed_poll{500};
constexpr std::int64_t page_size = 500;

struct log_reader_state {
  storage_reader_actor reader;
  event_hub_actor hub;
  std::int64_t after = 0;
  static inline const char* name = "event_log_reader";
};

using log_reader_pointer = event_log_reader_actor::stateful_pointer<log_reader_state>;

void poll(log_reader_pointer self) {
  persistence::event_query query{{}, self->state.after, page_size};
  self->request(self->state.reader, std::chrono::seconds{10}, list_atom::value,
                event_tag_atom::value, query)
      .then(
          [self](persistence::event_page& page) {
            if (!page.events.empty()) {
              self->state.after = page.events.back().seq;
              self->send(self->state.hub, publish_atom::value, std::move(page.events));
            }
            if (page.has_more) {
              self->send(self, poll_atom::value);
            } else {
              self->delayed_send(self, idle_poll, poll_atom::value);
            }
          },
          [self](caf::error&) { self->delayed_send(self, failed_poll, poll_atom::value); });
}

event_log_reader_actor::behavior_type event_log_reader(log_reader_pointer self,
                                                       storage_reader_actor reader,
                                                       event_hub_actor hub, std::int64_t after) {
  self->state.reader = std::move(reader);
  self->state.hub = std::move(hub);
  self->state.after = after;
  self->send(self, poll_atom::value);
  return {
      [self](poll_atom) { poll(self); },
  };
}

} // namespace

event_log_reader_actor spawn_event_log_reader(caf::actor_system& system,
                                              storage_reader_actor reader, event_hub_actor hub,
                                              std::int64_t after) {
  return system.spawn(event_log_reader, std::move(reader), std::move(hub), after);
}

} // namespace settle
