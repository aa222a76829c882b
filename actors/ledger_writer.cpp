// The ledger writer gathers write sets and commits them in groups. A write set that
// arrives while a commit runs waits in the mailbox; the next flush takes every one
// that arrived, up to the group's row bound, so under load one transaction carries
// many requests and at low load a request waits for no timer. Each sender is answered
// only after its write set is durable. If a group fails, its write sets are retried
// one by one, so one bad write set cannot fail the others.
//
// Commits are pipelined over the node's lanes (connections; two on PostgreSQL): while
// group N's last round trip (its events and COMMIT) is on its way on one lane, group
// N+1's statements run on the other. Two rules keep this safe. N+1 begins only once N
// holds every row it writes (N has sent everything), so N never waits for N+1's locks
// and rows are locked in group order: no deadlock. N+1 sends its events and COMMIT only
// once N's answer is in, so events are numbered in commit order and nothing committed
// later becomes visible before what committed earlier. A write set to retry alone is
// committed only with no other transaction open, since it could wait for that one's
// rows.
#include "actors/ledger_writer.hpp"
#include "domain/log.hpp"

#include "domain/assert.hpp"
#include "domain/clock.hpp"
#include "domain/metrics.hpp"
#include "persistence/connection.hpp"
#include "persistence/database_lock.hpp"
#include "persistence/ledger_store.hpp"

#include <caf/all.hpp>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <iterator>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

namespace settle {
namespace {

struct pending_write {
  persistence::write_set writes;
  caf::typed_response_promise<bool> promise;
};

// A group on its way: begun on `lane`, and once sent, awaiting its answer.
struct lane_group {
  std::vector<pending_write> writes;
  std::size_t lane = 0;
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
};

struct ledger_writer_state {
  std::vector<std::shared_ptr<persistence::commit_store>> lanes;
  config::storage_options options;
  ordinal_clock ordinals;
  event_hub_actor hub;
  std::vector<pending_write> pending;
  std::size_t pending_rows = 0;
  bool flush_scheduled = false;
  std::optional<lane_group> in_flight; // sent; a conclude message is on its way
  std::int64_t largest_seq = 0;        // of the events committed so far
  std::shared_ptr<const std::atomic<bool>> node_stopping;
  // The node stopped before the database told a lost COMMIT's outcome: the actors'
  // money in memory may be wrong from here on, so nothing more is committed.
  bool outcome_unknown = false;
  static inline const char* name = "ledger_writer";
};

using writer_pointer = ledger_writer_actor::stateful_pointer<ledger_writer_state>;

// Ordinals are issued at commit time, so lists read in the order things were committed.
void assign_ordinals(ledger_writer_state& state, persistence::write_set& writes) {
  for (auto& user : writes.users_inserted) {
    user.ordinal = state.ordinals.next();
  }
  for (auto& account : writes.accounts_inserted) {
    account.ordinal = state.ordinals.next();
  }
  for (auto& transfer : writes.transfers) {
    transfer.ordinal = state.ordinals.next();
  }
  for (auto& order : writes.orders_inserted) {
    order.ordinal = state.ordinals.next();
  }
  for (auto& endpoint : writes.webhook_endpoints_inserted) {
    endpoint.ordinal = state.ordinals.next();
  }
}

// Another settled took the database while this node's connection to it was gone (see
// ledger_store's writers' lock): this node may not write again, and the money its actors
// hold in memory may no longer be the database's. It stops at once; everything it
// acknowledged is durable.
void stop_if_database_taken(const persistence::storage_error& error) {
  if (dynamic_cast<const persistence::database_in_use*>(&error) != nullptr) {
    log_line(log_level::error, "the database was taken by another settled; stopping",
             {{"error", error.what()}});
    std::_Exit(75);
  }
}

// After a failed transaction the connection may be gone; a new one is tried at once,
// and again before the lane's next group if this attempt fails too.
void reconnect_quietly(persistence::commit_store& lane) {
  try {
    lane.reconnect();
  } catch (const persistence::storage_error& error) {
    stop_if_database_taken(error);
    log_line(log_level::error, "cannot reconnect to the database", {{"error", error.what()}});
  }
}

double seconds_since(std::chrono::steady_clock::time_point started) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
}

void deliver_committed(writer_pointer self, lane_group& group,
                       std::vector<persistence::event_record> events) {
  auto& state = self->state;
  auto& metrics = metrics_registry::instance();
  metrics.observe_commit(group.writes.size(), seconds_since(group.started));
  std::size_t transfers = 0;
  for (const auto& write : group.writes) {
    transfers += write.writes.transfers.size();
  }
  metrics.count_transfers_settled(transfers);
  for (const auto& event : events) {
    state.largest_seq = std::max(state.largest_seq, event.seq);
  }
  if (state.hub && !events.empty()) {
    self->anon_send(state.hub, publish_atom::value, std::move(events));
  }
  for (auto& write : group.writes) {
    write.promise.deliver(true);
  }
}

// What the database said of a group whose COMMIT's answer was lost; not known when the
// node stopped before it could say.
struct group_outcome {
  bool known = false;
  std::optional<std::vector<persistence::event_record>> events; // committed: its events
};

bool node_stopping(const ledger_writer_state& state) {
  return state.node_stopping != nullptr && state.node_stopping->load();
}

// COMMIT was sent and its answer lost (the connection failed, the database restarted):
// the group is durable or not, and the accounts' actors must be told which, since they
// hold its reservations. The database knows; it is asked until it answers. Meanwhile
// this writer takes no other work, and requests waiting for it are answered 503 at
// their deadlines by their sessions (see request_deadline).
// Unless the node stops first: then the outcome stays unknown and the restart
// reads it from the database, as it does after a crash.
group_outcome learn_outcome(writer_pointer self, persistence::commit_store& lane) {
  auto pause = std::chrono::milliseconds{100};
  while (!node_stopping(self->state)) {
    try {
      return group_outcome{true, lane.outcome_of_last_group(self->state.largest_seq)};
    } catch (const persistence::storage_error& error) {
      stop_if_database_taken(error);
      log_line(log_level::warning, "cannot learn the outcome of a commit yet",
               {{"error", error.what()}});
    }
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds{2000});
  }
  return group_outcome{};
}

void refuse_all(std::vector<pending_write>& writes, settle_errc code, const char* message) {
  for (auto& write : writes) {
    write.promise.deliver(make_settle_error(code, message));
  }
}

void append(std::vector<pending_write>& to, std::vector<pending_write> more) {
  std::move(more.begin(), more.end(), std::back_inserter(to));
}

// A group whose transaction failed: a lone write set is refused, the write sets of a
// larger group are returned to be retried one by one.
std::vector<pending_write> refuse_or_retry(lane_group& group,
                                           const persistence::storage_error& error) {
  log_line(log_level::error, "a group commit failed",
           {{"write_sets", std::to_string(group.writes.size())}, {"error", error.what()}});
  if (group.writes.size() == 1) {
    refuse_all(group.writes, settle_errc::unavailable,
               "the database refused the change; nothing was applied");
    return {};
  }
  return std::move(group.writes);
}

// Runs the group's statements on its lane and sends its events and COMMIT, unless that
// is to wait (`send` false). False if that failed: then the group's write sets are
// refused or added to `retry`.
bool begin_group(writer_pointer self, lane_group& group, bool send,
                 std::vector<pending_write>& retry) {
  auto& state = self->state;
  auto& lane = *state.lanes[group.lane];
  std::vector<const persistence::write_set*> sets;
  for (auto& write : group.writes) {
    sets.push_back(&write.writes);
  }
  auto number_rows = [&state, &group](std::int64_t largest_committed) {
    state.ordinals.observe(largest_committed);
    for (auto& write : group.writes) {
      assign_ordinals(state, write.writes);
    }
  };
  try {
    lane.begin(sets, number_rows);
    if (send) {
      lane.send_commit();
    }
    return true;
  } catch (const persistence::storage_error& error) {
    stop_if_database_taken(error);
    reconnect_quietly(lane);
    append(retry, refuse_or_retry(group, error));
    return false;
  }
}

// Awaits the answer of a sent group and answers its requests. Returns the write sets to
// retry one by one.
std::vector<pending_write> conclude(writer_pointer self, lane_group& group) {
  auto& state = self->state;
  auto& lane = *state.lanes[group.lane];
  try {
    deliver_committed(self, group, lane.await_commit());
    return {};
  } catch (const persistence::ambiguous_commit& error) {
    log_line(log_level::warning, "the answer to COMMIT was lost; asking the database",
             {{"error", error.what()}});
    auto outcome = learn_outcome(self, lane);
    if (!outcome.known) {
      log_line(log_level::error,
               "stopping before the database told the outcome of a group; the next start reads it",
               {{"write_sets", std::to_string(group.writes.size())}});
      state.outcome_unknown = true;
      refuse_all(group.writes, settle_errc::internal_error,
                 "the node stopped before the database told whether this change was applied;"
                 " read it back before retrying");
      return {};
    }
    log_line(log_level::warning, "the database told the outcome of the group",
             {{"write_sets", std::to_string(group.writes.size())},
              {"outcome", outcome.events ? "committed" : "not committed"}});
    if (outcome.events) {
      deliver_committed(self, group, std::move(*outcome.events));
    } else {
      refuse_all(group.writes, settle_errc::unavailable,
                 "the database connection failed; nothing was applied");
    }
    return {};
  } catch (const persistence::storage_error& error) {
    stop_if_database_taken(error);
    reconnect_quietly(lane);
    return refuse_or_retry(group, error);
  }
}

// Commits each write set in a group of its own, at once, on the first lane. Nothing else
// may be open then: a write set could wait for that transaction's rows.
void retry_alone(writer_pointer self, std::vector<pending_write> writes) {
  auto& state = self->state;
  for (auto& write : writes) {
    lane_group group;
    group.writes.push_back(std::move(write));
    if (state.outcome_unknown) {
      refuse_all(group.writes, settle_errc::unavailable,
                 "the node is stopping; nothing was applied");
      continue;
    }
    std::vector<pending_write> failed;
    if (begin_group(self, group, true, failed)) {
      failed = conclude(self, group);
    }
    SETTLE_ASSERT(failed.empty()); // a group of one is refused, never retried
  }
}

void conclude_in_flight(writer_pointer self) {
  auto& state = self->state;
  if (!state.in_flight) {
    return;
  }
  auto group = std::move(*state.in_flight);
  state.in_flight.reset();
  retry_alone(self, conclude(self, group));
}

// Commits `writes` as a group, overlapping with the group in flight (if any, and if there
// is a lane for it): this group's statements run while that one commits, then that one
// is concluded, then this one's COMMIT is sent and concluded later (see `conclude`).
void start_group(writer_pointer self, std::vector<pending_write> writes) {
  auto& state = self->state;
  lane_group group;
  group.writes = std::move(writes);
  group.lane = state.in_flight ? (state.in_flight->lane + 1) % state.lanes.size() : 0;
  std::vector<pending_write> retry;
  bool begun = begin_group(self, group, false, retry);
  if (state.in_flight) {
    auto previous = std::move(*state.in_flight);
    state.in_flight.reset();
    append(retry, conclude(self, previous));
  }
  auto& lane = *state.lanes[group.lane];
  if (begun && state.outcome_unknown) {
    lane.roll_back();
    refuse_all(group.writes, settle_errc::unavailable, "the node is stopping; nothing was applied");
    begun = false;
  }
  if (begun) {
    try {
      lane.send_commit();
    } catch (const persistence::storage_error& error) {
      stop_if_database_taken(error);
      reconnect_quietly(lane);
      append(retry, refuse_or_retry(group, error));
      begun = false;
    }
  }
  if (begun) {
    if (retry.empty() && state.lanes.size() > 1) {
      // Concluded once whatever arrived meanwhile has been read: if more came, the next
      // group begins first.
      state.in_flight = std::move(group);
      self->send(self, conclude_atom::value);
    } else {
      append(retry, conclude(self, group));
    }
  }
  retry_alone(self, std::move(retry));
}

// A request that its session answered 503 for taking too long is never applied: its
// write sets are answered here, before the group begins (see request_deadline).
std::vector<pending_write> admit_to_commit(std::vector<pending_write> writes) {
  auto now = now_milliseconds();
  std::vector<pending_write> admitted;
  admitted.reserve(writes.size());
  for (auto& write : writes) {
    if (write.writes.deadline.may_begin_commit(now)) {
      admitted.push_back(std::move(write));
    } else {
      write.promise.deliver(make_settle_error(
        settle_errc::unavailable,
        "the request's deadline passed before its commit began; nothing was applied"));
    }
  }
  return admitted;
}

void flush(writer_pointer self) {
  auto& state = self->state;
  state.flush_scheduled = false;
  if (state.pending.empty()) {
    return;
  }
  auto writes = admit_to_commit(std::move(state.pending));
  state.pending.clear();
  state.pending_rows = 0;
  if (state.outcome_unknown) {
    refuse_all(writes, settle_errc::unavailable, "the node is stopping; nothing was applied");
    return;
  }
  if (writes.empty()) {
    conclude_in_flight(self);
    return;
  }
  start_group(self, std::move(writes));
}

void schedule_flush(writer_pointer self) {
  auto& state = self->state;
  if (state.flush_scheduled) {
    return;
  }
  state.flush_scheduled = true;
  if (state.options.commit_window_microseconds > 0) {
    self->delayed_send(self, std::chrono::microseconds{state.options.commit_window_microseconds},
                       flush_atom::value);
  } else {
    self->send(self, flush_atom::value);
  }
}

// A group in flight is concluded now, unless more write sets arrived while it was on its
// way: then the next group begins first, and concludes it.
void conclude_or_overlap(writer_pointer self) {
  if (self->state.in_flight && !self->state.pending.empty()) {
    flush(self);
    return;
  }
  conclude_in_flight(self);
}

// The database settles a leg reserved for another node (see leg_claim); on a lane with
// no transaction open, since it may wait for that node's commit of the same leg.
caf::result<bool> abandon_leg(writer_pointer self, const persistence::leg_claim& claim) {
  auto& state = self->state;
  if (state.outcome_unknown) {
    return make_settle_error(settle_errc::unavailable, "the node is stopping");
  }
  auto index = state.in_flight ? (state.in_flight->lane + 1) % state.lanes.size() : 0;
  auto& lane = *state.lanes[index];
  try {
    return lane.abandon_leg(claim);
  } catch (const persistence::storage_error& error) {
    stop_if_database_taken(error);
    reconnect_quietly(lane);
    return make_settle_error(settle_errc::unavailable, error.what());
  }
}

ledger_writer_actor::behavior_type
ledger_writer(writer_pointer self, std::vector<std::shared_ptr<persistence::commit_store>> lanes,
              config::storage_options options, writer_placement placement,
              event_hub_actor hub) {
  SETTLE_ASSERT(!lanes.empty());
  self->state.lanes = std::move(lanes);
  self->state.hub = std::move(hub);
  self->state.options = options;
  self->state.node_stopping = placement.node_stopping;
  self->state.largest_seq = placement.largest_event_seq;
  self->state.ordinals.observe(placement.largest_stored_ordinal);
  self->state.ordinals.use_slot(placement.ordinal_slot);
  // What was asked before the exit is committed and answered: CAF 0.17 drops an
  // undelivered promise silently, and an order actor awaiting its commit would never take
  // another message, not even its own exit, so the node would never finish stopping.
  self->set_exit_handler([self](caf::exit_msg& message) {
    flush(self);
    conclude_in_flight(self);
    self->quit(message.reason);
  });
  return {
    [self](commit_atom, persistence::write_set& writes) -> caf::result<bool> {
      auto& state = self->state;
      auto rows = writes.row_count();
      auto promise = self->make_response_promise<bool>();
      state.pending.push_back(pending_write{std::move(writes), promise});
      state.pending_rows += rows;
      if (state.pending_rows >= state.options.commit_max_rows) {
        flush(self);
      } else {
        schedule_flush(self);
      }
      return promise;
    },
    [self](abandon_atom, const persistence::leg_claim& claim) { return abandon_leg(self, claim); },
    [self](flush_atom) { flush(self); },
    [self](conclude_atom) { conclude_or_overlap(self); },
  };
}

} // namespace

ledger_writer_actor spawn_ledger_writer(caf::actor_system& system,
                                        std::vector<std::shared_ptr<persistence::commit_store>> lanes,
                                        const config::storage_options& options,
                                        writer_placement placement, event_hub_actor hub,
                                        writer_thread thread) {
  if (thread == writer_thread::own) {
    return system.spawn<caf::detached>(ledger_writer, std::move(lanes), options, placement,
                                       std::move(hub));
  }
  return system.spawn(ledger_writer, std::move(lanes), options, placement, std::move(hub));
}

} // namespace settle
