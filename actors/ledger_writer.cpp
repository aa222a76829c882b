// The ledger writer gathers write sets and commits them in groups. A write set that
// arrives while a commit runs waits in the mailbox; the next flush takes every one
// that arrived, up to the group's row bound, so under load one transaction carries
// many requests and at low load a request waits for no timer. Each sender is answered
// only after its write set is durable. If a group fails, its write sets are retried
// one by one, so one bad write set cannot fail the others.
#include "actors/ledger_writer.hpp"

#include "domain/clock.hpp"
#include "domain/metrics.hpp"
#include "persistence/connection.hpp"
#include "persistence/database_lock.hpp"
#include "persistence/ledger_store.hpp"

#include <caf/all.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
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

struct ledger_writer_state {
  std::shared_ptr<persistence::commit_store> store;
  config::storage_options options;
  ordinal_clock ordinals;
  event_hub_actor hub;
  std::vector<pending_write> pending;
  std::size_t pending_rows = 0;
  bool flush_scheduled = false;
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
}

// Another settled took the database while this node's connection to it was gone (see
// ledger_store's writers' lock): this node may not write again, and the money its actors
// hold in memory may no longer be the database's. It stops at once; everything it
// acknowledged is durable.
void stop_if_database_taken(const persistence::storage_error& error) {
  if (dynamic_cast<const persistence::database_in_use*>(&error) != nullptr) {
    std::fprintf(stderr, "settled: %s; stopping\n", error.what());
    std::fflush(stderr);
    std::_Exit(75);
  }
}

// After a failed transaction the connection may be gone; a new one is tried at once,
// and again before the next group if this attempt fails too.
void reconnect_quietly(ledger_writer_state& state) {
  try {
    state.store->reconnect();
  } catch (const persistence::storage_error& error) {
    stop_if_database_taken(error);
    std::fprintf(stderr, "settled: cannot reconnect to the database: %s\n", error.what());
  }
}

void deliver_committed(writer_pointer self, std::vector<pending_write>& writes,
                       std::vector<persistence::event_record> events, double seconds) {
  auto& state = self->state;
  auto& metrics = metrics_registry::instance();
  metrics.observe_commit(writes.size(), seconds);
  std::size_t transfers = 0;
  for (const auto& write : writes) {
    transfers += write.writes.transfers.size();
  }
  metrics.count_transfers_settled(transfers);
  if (state.hub && !events.empty()) {
    self->anon_send(state.hub, publish_atom::value, std::move(events));
  }
  for (auto& write : writes) {
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
group_outcome learn_outcome(writer_pointer self) {
  auto pause = std::chrono::milliseconds{100};
  while (!node_stopping(self->state)) {
    try {
      return group_outcome{true, self->state.store->outcome_of_last_group()};
    } catch (const persistence::storage_error& error) {
      stop_if_database_taken(error);
      std::fprintf(stderr, "settled: cannot learn the outcome of a commit yet: %s\n",
                   error.what());
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

// Commits `writes`; answers each promise with true, or with `unavailable` if its
// transaction failed.
void commit_group(writer_pointer self, std::vector<pending_write>& writes) {
  auto& state = self->state;
  std::vector<const persistence::write_set*> group;
  for (auto& write : writes) {
    group.push_back(&write.writes);
  }
  auto number_rows = [&state, &writes](std::int64_t largest_committed) {
    state.ordinals.observe(largest_committed);
    for (auto& write : writes) {
      assign_ordinals(state, write.writes);
    }
  };
  auto started = std::chrono::steady_clock::now();
  auto seconds = [started] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  };
  try {
    auto events = state.store->commit(group, number_rows);
    deliver_committed(self, writes, std::move(events), seconds());
    return;
  } catch (const persistence::ambiguous_commit& error) {
    std::fprintf(stderr, "settled: the answer to COMMIT was lost (%s); asking the database\n",
                 error.what());
    auto outcome = learn_outcome(self);
    if (!outcome.known) {
      std::fprintf(stderr, "settled: stopping before the database told the outcome of a group"
                           " of %zu; the next start reads it\n", writes.size());
      state.outcome_unknown = true;
      refuse_all(writes, settle_errc::internal_error,
                 "the node stopped before the database told whether this change was applied;"
                 " read it back before retrying");
      return;
    }
    std::fprintf(stderr, "settled: the database says the group of %zu was %s\n", writes.size(),
                 outcome.events ? "committed" : "not committed");
    if (outcome.events) {
      deliver_committed(self, writes, std::move(*outcome.events), seconds());
      return;
    }
    refuse_all(writes, settle_errc::unavailable,
               "the database connection failed; nothing was applied");
    return;
  } catch (const persistence::storage_error& error) {
    stop_if_database_taken(error);
    reconnect_quietly(state);
    std::fprintf(stderr, "settled: a commit of %zu write sets failed: %s\n", writes.size(),
                 error.what());
    if (writes.size() == 1) {
      writes.front().promise.deliver(make_settle_error(
        settle_errc::unavailable, "the database refused the change; nothing was applied"));
      return;
    }
  }
  for (auto& write : writes) {
    std::vector<pending_write> single;
    single.push_back(std::move(write));
    commit_group(self, single);
  }
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
  if (!writes.empty()) {
    commit_group(self, writes);
  }
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

// The database settles a leg reserved for another node (see leg_claim); between groups,
// since it may wait for that node's commit of the same leg.
caf::result<bool> abandon_leg(writer_pointer self, const persistence::leg_claim& claim) {
  if (self->state.outcome_unknown) {
    return make_settle_error(settle_errc::unavailable, "the node is stopping");
  }
  try {
    return self->state.store->abandon_leg(claim);
  } catch (const persistence::storage_error& error) {
    stop_if_database_taken(error);
    reconnect_quietly(self->state);
    return make_settle_error(settle_errc::unavailable, error.what());
  }
}

ledger_writer_actor::behavior_type
ledger_writer(writer_pointer self, std::shared_ptr<persistence::commit_store> store,
              config::storage_options options, writer_placement placement,
              event_hub_actor hub) {
  self->state.store = std::move(store);
  self->state.hub = std::move(hub);
  self->state.options = options;
  self->state.node_stopping = placement.node_stopping;
  self->state.ordinals.observe(placement.largest_stored_ordinal);
  self->state.ordinals.use_slot(placement.ordinal_slot);
  // What was asked before the exit is committed and answered: CAF 0.17 drops an
  // undelivered promise silently, and an order actor awaiting its commit would never take
  // another message, not even its own exit, so the node would never finish stopping.
  self->set_exit_handler([self](caf::exit_msg& message) {
    flush(self);
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
  };
}

} // namespace

ledger_writer_actor spawn_ledger_writer(caf::actor_system& system,
                                        std::shared_ptr<persistence::commit_store> store,
                                        const config::storage_options& options,
                                        writer_placement placement, event_hub_actor hub,
                                        writer_thread thread) {
  if (thread == writer_thread::own) {
    return system.spawn<caf::detached>(ledger_writer, std::move(store), options, placement,
                                       std::move(hub));
  }
  return system.spawn(ledger_writer, std::move(store), options, placement, std::move(hub));
}

} // namespace settle
