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
  // ordinal committed so far (in a cluster; 0 otherwise), to number the group's rows:
  // commits of a cluster are serialized, so ordinals then follow commit order across
  // nodes, and each account's entries list in the order their balance_after was made.
  using ordinal_assigner = std::function<void(std::int64_t largest_committed)>;

  // Commits all of `group` in one transaction and returns its events, numbered.
  // Throws storage_error when the transaction fails; then nothing of the group was
  // written. Throws ambiguous_commit when COMMIT itself failed: the group may or may
  // not be durable.
  virtual std::vector<event_record> commit(const std::vector<const write_set*>& group,
                                           const ordinal_assigner& assign_ordinals) = 0;

  // Opens a fresh connection after a failure (a restarted database, a dropped link).
  virtual void reconnect() = 0;

  // After commit() threw ambiguous_commit: connects again, makes sure the connection that
  // committed is gone, and reads whether the group is durable. Returns its events,
  // numbered, if it is (unnumbered in a cluster, whose log reader numbers them);
  // nullopt if it is not. Throws storage_error while the database cannot be reached.
  virtual std::optional<std::vector<event_record>> outcome_of_last_group() = 0;

  // Records that the account's node gave up waiting for the outcome of a leg reserved
  // for another node: true if that leg can now never commit, false if it did commit.
  // Waits for a commit of the same leg still in flight.
  virtual bool abandon_leg(const leg_claim& claim) = 0;
};

} // namespace settle::persistence
