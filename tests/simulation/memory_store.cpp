#include "memory_store.hpp"

#include "persistence/connection.hpp"

namespace settle::simulation {

using persistence::ambiguous_commit;
using persistence::storage_error;

void memory_store::begin(const std::vector<const persistence::write_set*>& group,
                         const ordinal_assigner& assign_ordinals) {
  if (severed_) {
    throw storage_error{"the node crashed: its connection is gone"};
  }
  ++counts_.groups;
  if (assign_ordinals) {
    assign_ordinals(0);
  }
  group_ = group;
}

std::vector<persistence::event_record> memory_store::await_commit() {
  auto group = std::move(group_);
  group_.clear();
  if (severed_) {
    throw storage_error{"the node crashed: its connection is gone"};
  }
  auto fault = random_.below(100);
  if (fault < faults_.refused) {
    ++counts_.refused;
    throw storage_error{"simulated: the connection failed before COMMIT"};
  }
  fault -= faults_.refused;
  if (fault < faults_.answer_lost_before_commit) {
    ++counts_.in_doubt_not_committed;
    last_outcome_.reset();
    throw ambiguous_commit{"simulated: COMMIT was lost on its way"};
  }
  fault -= faults_.answer_lost_before_commit;
  auto events = database_.apply(group);
  if (fault < faults_.answer_lost_after_commit) {
    ++counts_.in_doubt_committed;
    last_outcome_ = std::move(events);
    throw ambiguous_commit{"simulated: COMMIT's answer was lost"};
  }
  return events;
}

std::optional<std::vector<persistence::event_record>>
memory_store::outcome_of_last_group(std::int64_t /*largest_seq_before: the database numbers*/) {
  auto outcome = std::move(last_outcome_);
  last_outcome_.reset();
  return outcome;
}

bool memory_store::abandon_leg(const persistence::leg_claim& claim) {
  if (severed_) {
    throw storage_error{"the node crashed: its connection is gone"};
  }
  return database_.claim_leg(claim.leg_id);
}

} // namespace settle::simulation
