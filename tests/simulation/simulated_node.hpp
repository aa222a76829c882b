// One incarnation of a node in the simulation: the real actors of the money path
// (gateway, coordinators, shard regions with their accounts, users and orders, the
// idempotency guard, the ledger writer) on CAF's deterministic test scheduler, over the
// memory database. Nothing runs unless the simulation says so: one message at a time,
// the actor chosen by the seed; time moves only when the simulation fires a timer.
#pragma once

#include "memory_store.hpp"

#include "actors/node.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace caf::scheduler {
class test_coordinator;
}

namespace settle::simulation {

struct node_faults {
  store_faults store;
  std::uint64_t failing_reads_percent = 0;
};

// The virtual clock every incarnation reads through now_milliseconds(); it only moves
// forward, across crashes too.
// The currencies of the simulated node.
const std::vector<std::string>& simulated_currencies();

class virtual_clock {
public:
  explicit virtual_clock(std::int64_t start_milliseconds);
  ~virtual_clock();
  virtual_clock(const virtual_clock&) = delete;
  virtual_clock& operator=(const virtual_clock&) = delete;
  std::int64_t now() const;
  void advance_to(std::int64_t milliseconds);
};

class simulated_node {
public:
  simulated_node(memory_database& database, seeded_random& random, const node_faults& faults,
                 store_fault_counts& counts, virtual_clock& clock);
  ~simulated_node();
  simulated_node(const simulated_node&) = delete;
  simulated_node& operator=(const simulated_node&) = delete;

  // Hands a request to the gateway, as the HTTP ingress does.
  void execute(api_request request);

  // Runs one message of an actor the seed picks among those with mail; the ledger
  // writer is passed over while `writer_stalled`. False when no actor can run.
  bool run_one(bool writer_stalled);

  // Moves the clock to the next timer and fires it. False when none is set.
  bool fire_next_timer();

  // The node dies: its connection applies nothing more, and its actors stop (what they
  // still answer is the dead node's: the simulation ignores it). Returns false if the
  // actors did not all stop within a bound (a node that cannot stop).
  bool crash();

private:
  bool drain();

  memory_database& database_;
  seeded_random& random_;
  virtual_clock& clock_;
  caf::actor_system_config configuration_;
  std::optional<caf::actor_system> system_;
  caf::scheduler::test_coordinator* scheduler_ = nullptr;
  // The writer's lanes, two as on PostgreSQL: one group commits while the next begins.
  std::vector<std::shared_ptr<memory_store>> lanes_;
  node_actors actors_;
  bool stopped_ = false;
};

} // namespace settle::simulation
