// The webhook endpoint's actor. Delivery is driven by the log, not by memory: the actor
// reads its tenant's events after the cursor (a page at a time, when the hub says the log
// grew), keeps those its filters pass, and sends them one at a time in seq order. Each
// outcome is committed with the cursor after it, so after a crash or a takeover the next
// actor resumes at the stored cursor: an event may arrive twice, never not at all. A
// failed event waits on the retry schedule and holds back the ones after it (the order is
// the contract); only this actor waits, never a payment or another endpoint.
#include "actors/webhook_endpoint.hpp"

#include "domain/clock.hpp"
#include "domain/log.hpp"
#include "domain/metrics.hpp"
#include "domain/webhook_events.hpp"
#include "domain/webhook_retry.hpp"

#include <caf/all.hpp>

#include <algorithm>
#include <deque>
#include <limits>

namespace settle {
namespace {

// Events read from the log per step; the actor holds at most one page.
constexpr std::int64_t log_page = 100;
// Outcomes sent to the writer and not yet committed; beyond, sending pauses.
constexpr std::size_t commits_in_flight_limit = 32;
// Manual retries waiting for their turn; beyond, `unavailable`.
constexpr std::size_t waiting_retries_limit = 16;

using retry_promise = caf::typed_response_promise<webhook_delivery_record>;

// The event being delivered, and the clients waiting for its next outcome (a manual
// retry of it). An abandoned one was in flight when the endpoint stopped or restarted:
// its outcome is still recorded (the receiver may have it), but it is not tried again.
struct delivery_in_progress {
  persistence::event_record event;
  webhook_delivery_record delivery;
  std::vector<retry_promise> waiters;
  bool abandoned = false;
};

// A client's retry of an earlier delivery: sent out of order, once, when nothing else is
// in flight.
struct manual_retry {
  persistence::event_record event;
  webhook_delivery_record delivery;
  retry_promise promise;
};

struct webhook_endpoint_state {
  webhook_endpoint_record record;
  webhook_endpoint_dependencies with;
  persistence::shard_fence fence;
  std::int64_t read_position = 0; // the log is read up to here
  std::int64_t known_head = std::numeric_limits<std::int64_t>::max(); // the log has events to here
  std::uint64_t read_generation = 0; // a page read before a reset is dropped
  bool reading = false;
  std::deque<persistence::event_record> queue; // passed the filters, not yet sent
  std::optional<delivery_in_progress> current;
  bool waiting = false; // the current event waits for its next attempt
  std::uint64_t wait_token = 0;
  std::deque<manual_retry> retries;
  std::optional<manual_retry> retry_in_flight;
  bool in_flight = false;
  std::uint64_t attempt_number = 0; // of the attempt in flight
  std::size_t commits_in_flight = 0;
  static inline const char* name = "webhook_endpoint";
};

using endpoint_pointer = webhook_endpoint_actor::stateful_pointer<webhook_endpoint_state>;

bool is_visible(const webhook_endpoint_state& state, const requester& who) {
  return !state.record.deleted && who.may_see(state.record.tenant);
}

bool delivering(const webhook_endpoint_state& state) {
  return !state.record.deleted && state.record.status == webhook_status::enabled;
}

bool is_success(std::int64_t status_code) {
  return status_code >= 200 && status_code < 300;
}

caf::error no_such_endpoint() {
  return make_settle_error(settle_errc::not_found, "no such webhook endpoint");
}

void pump(endpoint_pointer self);

// Sends `writes` under the endpoint's lease; `then(error)` runs once it is durable (an
// empty error) or refused.
template <class Then>
void commit(endpoint_pointer self, persistence::write_set writes, Then then) {
  auto& state = self->state;
  writes.fences.push_back(state.fence);
  ++state.commits_in_flight;
  self->request(state.with.writer, caf::infinite, commit_atom::value, std::move(writes))
    .then(
      [self, then](bool) mutable {
        --self->state.commits_in_flight;
        then(caf::error{});
        pump(self);
      },
      [self, then](caf::error& error) mutable {
        --self->state.commits_in_flight;
        log_line(log_level::warning, "a webhook delivery's outcome was not stored",
                 {{"endpoint", self->state.record.id.value},
                  {"error", to_failure(error).message}});
        then(error);
        pump(self);
      });
}

void send(endpoint_pointer self, const persistence::event_record& event) {
  auto& state = self->state;
  state.in_flight = true;
  auto number = ++state.attempt_number;
  webhook_post post{state.record.url, state.with.renderer->event(event), event.seq,
                    state.record.secret};
  auto handle = caf::actor_cast<webhook_endpoint_actor>(self);
  state.with.transport->post(std::move(post), [handle, number](webhook_outcome outcome) {
    caf::anon_send(handle, delivered_atom::value, number,
                   static_cast<std::int64_t>(outcome.status_code), std::move(outcome.error));
  });
}

void read_log(endpoint_pointer self) {
  auto& state = self->state;
  state.reading = true;
  auto generation = state.read_generation;
  persistence::event_query query{state.record.tenant, state.read_position, log_page};
  self->request(state.with.reader, caf::infinite, list_atom::value, event_tag_atom::value, query)
    .then(
      [self, generation](persistence::event_page& page) {
        auto& state = self->state;
        if (generation != state.read_generation) {
          return;
        }
        state.reading = false;
        for (auto& event : page.events) {
          state.read_position = std::max(state.read_position, event.seq);
          if (event_matches(state.record.events, event.name)) {
            state.queue.push_back(std::move(event));
          }
        }
        if (!page.has_more) {
          state.known_head = state.read_position;
        }
        pump(self);
      },
      [self, generation](caf::error&) {
        // The database is away: the dispatcher's next tick asks again.
        if (generation == self->state.read_generation) {
          self->state.reading = false;
        }
      });
}

webhook_delivery_record new_delivery(const webhook_endpoint_state& state,
                                     const persistence::event_record& event) {
  webhook_delivery_record delivery;
  delivery.id = webhook_delivery_id{generate_id("whd_")};
  delivery.endpoint_id = state.record.id;
  delivery.tenant = state.record.tenant;
  delivery.event_seq = event.seq;
  delivery.event = event.name;
  delivery.created_at = now_milliseconds();
  delivery.first_attempt_at = delivery.created_at;
  return delivery;
}

// The next thing to send, if nothing is in flight: a manual retry first, then the
// current event when its wait is over, then the next event read; else the log is read.
void pump(endpoint_pointer self) {
  auto& state = self->state;
  if (state.in_flight || state.commits_in_flight >= commits_in_flight_limit) {
    return;
  }
  if (!state.retries.empty()) {
    state.retry_in_flight = std::move(state.retries.front());
    state.retries.pop_front();
    send(self, state.retry_in_flight->event);
    return;
  }
  if (!delivering(state)) {
    return;
  }
  if (state.current) {
    if (!state.waiting) {
      send(self, state.current->event);
    }
    return;
  }
  if (!state.queue.empty()) {
    auto event = std::move(state.queue.front());
    state.queue.pop_front();
    auto delivery = new_delivery(state, event);
    state.current = delivery_in_progress{std::move(event), std::move(delivery), {}};
    send(self, state.current->event);
    return;
  }
  // Everything read is delivered or filtered out: the cursor may pass it. It is stored
  // with the next outcome; skipped again after a crash, it costs a read, not a duplicate.
  state.record.cursor = std::max(state.record.cursor, state.read_position);
  if (!state.reading && state.known_head > state.read_position) {
    read_log(self);
  }
}

// No answer (a timeout, a refused connection) keeps the last status received.
void keep_status_code(webhook_delivery_record& delivery, std::int64_t status_code) {
  if (status_code != 0) {
    delivery.last_status_code = status_code;
  }
}

void answer_waiters(std::vector<retry_promise>& waiters, const webhook_delivery_record& delivery,
                    const caf::error& error) {
  for (auto& waiter : waiters) {
    if (error) {
      waiter.deliver(error);
    } else {
      waiter.deliver(delivery);
    }
  }
}

void record_outcome_metric(const webhook_delivery_record& delivery) {
  metrics_registry::instance().count_webhook_delivery(
    delivery.status == delivery_status::pending ? "retrying" : to_string(delivery.status));
}

// Behind the log by the age of the event in hand, or not at all when every event read
// is handled and nothing more is known to be there.
void report_lag(const webhook_endpoint_state& state) {
  double seconds = 0;
  if (state.current) {
    seconds = static_cast<double>(now_milliseconds() - state.current->event.at) / 1000.0;
  } else if (!state.queue.empty()) {
    seconds = static_cast<double>(now_milliseconds() - state.queue.front().at) / 1000.0;
  }
  metrics_registry::instance().set_webhook_lag(state.record.id.value, std::max(seconds, 0.0));
}

// The current event's attempt ended: done (delivered, or given up on after the retry
// window), or waiting for its next attempt.
void conclude_current(endpoint_pointer self, std::int64_t status_code) {
  auto& state = self->state;
  auto& current = *state.current;
  auto& delivery = current.delivery;
  ++delivery.attempts;
  keep_status_code(delivery, status_code);
  delivery.next_attempt_at = 0;
  auto now = now_milliseconds();
  std::optional<std::chrono::seconds> delay;
  if (is_success(status_code)) {
    delivery.status = delivery_status::succeeded;
  } else if (current.abandoned) {
    delivery.status = delivery_status::failed;
  } else {
    delay = webhook_retry_delay(static_cast<int>(delivery.attempts),
                                std::chrono::duration_cast<std::chrono::seconds>(
                                  std::chrono::milliseconds{now - delivery.first_attempt_at}));
    delivery.status = delay ? delivery_status::pending : delivery_status::failed;
  }
  persistence::write_set writes;
  record_outcome_metric(delivery);
  if (delay) {
    delivery.next_attempt_at = now + std::chrono::milliseconds{*delay}.count();
    state.waiting = true;
    self->delayed_send(self, *delay, resend_atom::value, ++state.wait_token);
  } else if (!current.abandoned) {
    state.record.cursor = current.event.seq;
    writes.webhook_endpoints_updated.push_back(state.record);
  }
  writes.webhook_deliveries.push_back(delivery);
  // Taken out before the current event may go (the references above then dangle).
  auto answer = [waiters = std::move(current.waiters),
                 concluded = delivery](const caf::error& error) mutable {
    answer_waiters(waiters, concluded, error);
  };
  current.waiters.clear();
  if (!delay) {
    state.current.reset();
  }
  commit(self, std::move(writes), std::move(answer));
}

// A manual retry is tried once: it succeeds or fails, and schedules nothing.
void conclude_retry(endpoint_pointer self, std::int64_t status_code) {
  auto retry = std::move(*self->state.retry_in_flight);
  self->state.retry_in_flight.reset();
  auto& delivery = retry.delivery;
  ++delivery.attempts;
  keep_status_code(delivery, status_code);
  delivery.next_attempt_at = 0;
  delivery.status = is_success(status_code) ? delivery_status::succeeded : delivery_status::failed;
  record_outcome_metric(delivery);
  persistence::write_set writes;
  writes.webhook_deliveries.push_back(delivery);
  commit(self, std::move(writes),
         [promise = retry.promise, delivery](const caf::error& error) mutable {
           if (error) {
             promise.deliver(error);
           } else {
             promise.deliver(delivery);
           }
         });
}

void on_delivered(endpoint_pointer self, std::uint64_t number, std::int64_t status_code,
                  const std::string& error) {
  auto& state = self->state;
  if (!state.in_flight || number != state.attempt_number) {
    return;
  }
  state.in_flight = false;
  if (!error.empty()) {
    log_line(log_level::info, "a webhook delivery got no answer",
             {{"endpoint", state.record.id.value}, {"error", error}});
  }
  if (state.retry_in_flight) {
    conclude_retry(self, status_code);
  } else if (state.current) {
    conclude_current(self, status_code);
  }
  pump(self);
  report_lag(state);
}

// Forgets what was read and sent: after a disable, or before a re-enable from `cursor`.
// An attempt in flight is kept until its outcome is recorded: the receiver may have it.
void reset_delivery(webhook_endpoint_state& state) {
  ++state.read_generation;
  state.reading = false;
  state.read_position = state.record.cursor;
  state.known_head = std::numeric_limits<std::int64_t>::max();
  state.queue.clear();
  bool attempt_in_flight = state.in_flight && !state.retry_in_flight;
  if (state.current && attempt_in_flight) {
    state.current->abandoned = true;
  } else {
    state.current.reset();
  }
  state.waiting = false;
}

// Commits the endpoint as `updated` for the client's request, then takes it on.
void commit_change(endpoint_pointer self, const requester& who,
                   caf::typed_response_promise<webhook_endpoint_record> promise,
                   webhook_endpoint_record updated) {
  auto& state = self->state;
  persistence::write_set writes;
  writes.deadline = who.deadline;
  writes.fences.push_back(state.fence);
  bool stops = updated.deleted || updated.status != webhook_status::enabled;
  if (stops && state.current) {
    // A disabled endpoint receives nothing: the event waiting for its next attempt is
    // given up on (a client may retry it after enabling the endpoint again).
    auto delivery = state.current->delivery;
    delivery.status = delivery_status::failed;
    delivery.next_attempt_at = 0;
    if (delivery.attempts > 0) {
      writes.webhook_deliveries.push_back(delivery);
    }
  }
  writes.webhook_endpoints_updated.push_back(updated);
  self->request(state.with.writer, caf::infinite, commit_atom::value, std::move(writes))
    .await(
      [self, promise, updated](bool) mutable {
        auto& state = self->state;
        bool restarts = updated.cursor != state.record.cursor;
        bool filters_changed = updated.events != state.record.events;
        state.record = updated;
        if (!delivering(state) || restarts) {
          reset_delivery(state);
        } else if (filters_changed) {
          auto& queue = state.queue;
          queue.erase(std::remove_if(queue.begin(), queue.end(),
                                     [&](const persistence::event_record& event) {
                                       return !event_matches(state.record.events, event.name);
                                     }),
                      queue.end());
        }
        promise.deliver(state.record);
        if (state.record.deleted) {
          self->quit();
          return;
        }
        pump(self);
      },
      [promise](caf::error& error) mutable { promise.deliver(std::move(error)); });
}

webhook_endpoint_record with_changes(webhook_endpoint_record record,
                                     const webhook_changes& changes) {
  if (changes.has_url) {
    record.url = changes.url;
  }
  if (changes.has_events) {
    record.events = changes.events;
  }
  if (changes.has_description) {
    record.description = changes.description;
  }
  if (changes.has_status) {
    record.status = changes.status;
  }
  return record;
}

// Re-enabling starts at the log's newest event: no history is replayed.
void apply_changes(endpoint_pointer self, const requester& who,
                   caf::typed_response_promise<webhook_endpoint_record> promise,
                   const webhook_changes& changes) {
  auto& state = self->state;
  auto updated = with_changes(state.record, changes);
  bool enabling =
    state.record.status == webhook_status::disabled && updated.status == webhook_status::enabled;
  if (!enabling) {
    commit_change(self, who, promise, std::move(updated));
    return;
  }
  self->request(state.with.reader, caf::infinite, load_atom::value, event_tag_atom::value)
    .await(
      [self, who, promise, updated](std::int64_t newest) mutable {
        updated.cursor = std::max(updated.cursor, newest);
        commit_change(self, who, promise, std::move(updated));
      },
      [promise](caf::error& error) mutable { promise.deliver(std::move(error)); });
}

caf::result<webhook_endpoint_record> update(endpoint_pointer self, const requester& who,
                                            const webhook_changes& changes) {
  auto& state = self->state;
  if (!is_visible(state, who)) {
    return no_such_endpoint();
  }
  auto promise = self->make_response_promise<webhook_endpoint_record>();
  if (!changes.has_url || changes.url == state.record.url) {
    apply_changes(self, who, promise, changes);
    return promise;
  }
  self->request(state.with.addresses, caf::infinite, check_atom::value, changes.url)
    .await([self, who, promise, changes](bool) mutable { apply_changes(self, who, promise, changes); },
           [promise](caf::error& error) mutable { promise.deliver(std::move(error)); });
  return promise;
}

caf::result<webhook_endpoint_record> remove(endpoint_pointer self, const requester& who) {
  if (!is_visible(self->state, who)) {
    return no_such_endpoint();
  }
  auto promise = self->make_response_promise<webhook_endpoint_record>();
  auto deleted = self->state.record;
  deleted.deleted = true;
  commit_change(self, who, promise, std::move(deleted));
  return promise;
}

// Queues a client's retry of `delivery` once its event is loaded. The current event's
// retry skips its wait instead.
void queue_retry(endpoint_pointer self, retry_promise promise, webhook_delivery_record delivery) {
  auto& state = self->state;
  if (state.current && state.current->event.seq == delivery.event_seq) {
    state.current->delivery.id = delivery.id;
    state.current->waiters.push_back(std::move(promise));
    state.waiting = false;
    pump(self);
    return;
  }
  persistence::event_query query{state.record.tenant, delivery.event_seq - 1, 1};
  self->request(state.with.reader, caf::infinite, list_atom::value, event_tag_atom::value, query)
    .then(
      [self, promise, delivery](persistence::event_page& page) mutable {
        if (page.events.empty() || page.events.front().seq != delivery.event_seq) {
          promise.deliver(make_settle_error(settle_errc::not_found, "no such webhook delivery"));
          return;
        }
        self->state.retries.push_back(
          manual_retry{std::move(page.events.front()), std::move(delivery), promise});
        pump(self);
      },
      [promise](caf::error& error) mutable { promise.deliver(std::move(error)); });
}

caf::result<webhook_delivery_record> retry(endpoint_pointer self, const requester& who,
                                           const std::string& delivery_id) {
  auto& state = self->state;
  if (!is_visible(state, who)) {
    return no_such_endpoint();
  }
  if (!delivering(state)) {
    return make_settle_error(settle_errc::invalid_state,
                             "the endpoint is disabled: enable it to send deliveries again");
  }
  if (state.retries.size() >= waiting_retries_limit) {
    return make_settle_error(settle_errc::unavailable,
                             "too many retries are waiting for this endpoint; retry shortly");
  }
  auto promise = self->make_response_promise<webhook_delivery_record>();
  self->request(state.with.reader, caf::infinite, load_atom::value, delivery_tag_atom::value,
                delivery_id)
    .then(
      [self, promise](webhook_delivery_record& delivery) mutable {
        if (delivery.endpoint_id != self->state.record.id) {
          promise.deliver(make_settle_error(settle_errc::not_found, "no such webhook delivery"));
          return;
        }
        queue_retry(self, promise, std::move(delivery));
      },
      [promise](caf::error& error) mutable { promise.deliver(std::move(error)); });
  return promise;
}

// The hub (through the dispatcher) says the log has events up to `seq`; 0 asks for one
// more look (the dispatcher's tick, in case a notice was missed).
void on_poll(endpoint_pointer self, std::int64_t seq) {
  auto& state = self->state;
  state.known_head = std::max(state.known_head, seq == 0 ? state.read_position + 1 : seq);
  pump(self);
  report_lag(state);
}

void on_resend(endpoint_pointer self, std::uint64_t token) {
  auto& state = self->state;
  if (state.waiting && token == state.wait_token) {
    state.waiting = false;
    pump(self);
  }
}

// An endpoint that delivers keeps running; a disabled one may stop when idle.
void on_passivate(endpoint_pointer self) {
  const auto& state = self->state;
  if (!delivering(state) && !state.in_flight && state.commits_in_flight == 0
      && state.retries.empty()) {
    self->quit();
  }
}

webhook_endpoint_actor::behavior_type
webhook_endpoint(endpoint_pointer self, webhook_endpoint_record record,
                 webhook_endpoint_dependencies dependencies, persistence::shard_fence fence) {
  auto& state = self->state;
  state.record = std::move(record);
  state.with = std::move(dependencies);
  state.fence = fence;
  state.read_position = state.record.cursor;
  self->attach_functor([id = state.record.id.value] {
    metrics_registry::instance().forget_webhook_lag(id);
  });
  pump(self);
  return {
    [self](caf::get_atom, const requester& who) -> caf::result<webhook_endpoint_record> {
      if (!is_visible(self->state, who)) {
        return no_such_endpoint();
      }
      return self->state.record;
    },
    [self](update_atom, const requester& who, const webhook_changes& changes) {
      return update(self, who, changes);
    },
    [self](delete_atom, const requester& who) { return remove(self, who); },
    [self](retry_atom, const requester& who, const std::string& delivery_id) {
      return retry(self, who, delivery_id);
    },
    [self](poll_atom, std::int64_t seq) { on_poll(self, seq); },
    [self](delivered_atom, std::uint64_t number, std::int64_t status_code,
           const std::string& error) { on_delivered(self, number, status_code, error); },
    [self](resend_atom, std::uint64_t token) { on_resend(self, token); },
    [self](passivate_atom) { on_passivate(self); },
    [self](retire_atom) { self->quit(); },
  };
}

} // namespace

webhook_endpoint_actor spawn_webhook_endpoint(caf::actor_system& system,
                                              webhook_endpoint_record record,
                                              const webhook_endpoint_dependencies& dependencies,
                                              persistence::shard_fence fence) {
  return system.spawn(webhook_endpoint, std::move(record), dependencies, fence);
}

} // namespace settle
