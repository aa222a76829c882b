// What the ledger writer needs of the database. ledger_store is the real one; the
// deterministic simulation (tests/simulation) puts a store in memory behind the same
// interface, one that fails, loses COMMIT's answer and stalls on purpose.
#pragma once

#include "persistence/write_set.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

namespace settle::persistence {

class commit_store {
public:
  virtual ~commit_store() = default;

  // Called inside the transaction before any row is written, with the largest transfer
  // ordinal committed so far (in a cluster; 0 otherwise), to number the group's rows, so
  // that lists follow the order of commits (across nodes, except between groups that
  // commit at the same moment on two nodes).
  using ordinal_assigner = std::function<void(std::int64_t largest_committed)>;

  // A group commits in two steps, so that the writer can send the next group's
  // statements while this one's last round trip (its events and COMMIT) is on its way.
  // begin(): every statement before the events, in a transaction left open. Throws
  // storage_error when it fails; then the transaction is over and nothing was written.
  virtual void begin(const std::vector<const write_set*>& group,
                     const ordinal_assigner& assign_ordinals) = 0;
  // Sends the events and COMMIT without waiting for the answer. Throws storage_error if
  // they could not be sent (nothing was committed).
  virtual void send_commit() = 0;
  // The answer: the group's events, numbered. Throws storage_error when the transaction
  // failed (nothing of the group was written), ambiguous_commit when COMMIT itself failed
  // (the group may or may not be durable).
  virtual std::vector<event_record> await_commit() = 0;

  // Ends a group begun and not sent, writing nothing.
  virtual void roll_back() noexcept = 0;

  // The three steps at once.
  std::vector<event_record> commit(const std::vector<const write_set*>& group,
                                   const ordinal_assigner& assign_ordinals = {}) {
    begin(group, assign_ordinals);
    send_commit();
    return await_commit();
  }

  // Opens a fresh connection after a failure (a restarted database, a dropped link).
  virtual void reconnect() = 0;

  // After await_commit() threw ambiguous_commit: connects again, makes sure the connection
  // that committed is gone, and reads whether the group is durable. Returns its events,
  // numbered, if it is (unnumbered in a cluster, whose log reader numbers them), given
  // the largest seq committed before the group; nullopt if it is not. Throws
  // storage_error while the database cannot be reached.
  virtual std::optional<std::vector<event_record>>
  outcome_of_last_group(std::int64_t largest_seq_before) = 0;

  // Records that the account's node gave up waiting for the outcome of a leg reserved
  // for another node: true if that leg can now never commit, false if it did commit.
  // Waits for a commit of the same leg still in flight.
  virtual bool abandon_leg(const leg_claim& claim) = 0;
};

} // namespace settle::persistence
