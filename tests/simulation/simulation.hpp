// One seed's run of the simulation: a workload of clients against the real actors of a
// node over the memory database, with faults drawn from the seed (groups refused,
// COMMIT's answer lost either way, reads failing, the writer stalled, sessions timing
// out, the node crashing and starting again), every message's turn chosen by the seed.
// After every step the ledger's invariants and the clients' expectations are checked;
// at the end every hold must have ended, every request been answered, each account's
// actor agree with the database, and everything available be withdrawable.
#pragma once

#include "memory_store.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace settle::simulation {

struct simulation_settings {
  std::uint64_t seed = 1;
  std::size_t steps = 3000;
};

struct simulation_report {
  std::optional<std::string> violation;
  std::size_t failed_at_step = 0;
  std::size_t steps = 0;
  std::size_t messages = 0;
  std::size_t timers = 0;
  std::size_t requests = 0;
  std::size_t answered = 0;
  std::map<unsigned, std::size_t> answers_by_status;
  std::size_t crashes = 0;
  std::size_t invariant_checks = 0;
  store_fault_counts faults;
  // A hash of the database at the end (ids, balances, orders' states): equal for every
  // run of one seed, which is what "replays exactly" means.
  std::uint64_t database_digest = 0;
};

simulation_report simulate(const simulation_settings& settings);

} // namespace settle::simulation
