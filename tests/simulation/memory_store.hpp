// The ledger writer's store in the simulation: the connection of one incarnation of the
// node to the memory database. It fails on purpose, as a real connection does: a group
// refused (nothing applied), COMMIT's answer lost after the group was applied or before,
// and after a crash of its node it applies nothing ever again.
#pragma once

#include "memory_database.hpp"
#include "seeded_random.hpp"

#include "persistence/commit_store.hpp"

#include <optional>

namespace settle::simulation {

// Per cent of commits that fail each way; drawn for every group from the seed.
struct store_faults {
  std::uint64_t refused = 0;
  std::uint64_t answer_lost_after_commit = 0;
  std::uint64_t answer_lost_before_commit = 0;
};

// What was injected, for the summary.
struct store_fault_counts {
  std::uint64_t groups = 0;
  std::uint64_t refused = 0;
  std::uint64_t in_doubt_committed = 0;
  std::uint64_t in_doubt_not_committed = 0;
};

class memory_store final : public persistence::commit_store {
public:
  memory_store(memory_database& database, seeded_random& random, store_faults faults,
               store_fault_counts& counts)
    : database_(database), random_(random), faults_(faults), counts_(counts) {}

  // The group is applied when its answer is awaited, as a database commits it then.
  void begin(const std::vector<const persistence::write_set*>& group,
             const ordinal_assigner& assign_ordinals) override;
  void send_commit() override {}
  std::vector<persistence::event_record> await_commit() override;
  void roll_back() noexcept override { group_.clear(); }
  void reconnect() override {}
  std::optional<std::vector<persistence::event_record>>
  outcome_of_last_group(std::int64_t largest_seq_before) override;
  bool abandon_leg(const persistence::leg_claim& claim) override;

  // The node crashed: nothing it still sends is applied.
  void sever() noexcept { severed_ = true; }

private:
  memory_database& database_;
  seeded_random& random_;
  store_faults faults_;
  store_fault_counts& counts_;
  bool severed_ = false;
  std::vector<const persistence::write_set*> group_; // begun, not yet applied
  std::optional<std::vector<persistence::event_record>> last_outcome_;
};

} // namespace settle::simulation
