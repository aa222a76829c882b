// The storage reader of the simulated node: loads entities and idempotency records from
// the memory database, on the scheduler (it never blocks), and fails a share of reads
// as a database that cannot be reached does. Lists, events and the audit are not part
// of the simulated money path: they are answered `unavailable`.
#pragma once

#include "memory_database.hpp"
#include "seeded_random.hpp"

#include "actors/interfaces.hpp"

#include <caf/fwd.hpp>

namespace settle::simulation {

storage_reader_actor spawn_simulated_reader(caf::actor_system& system,
                                            const memory_database& database,
                                            seeded_random& random,
                                            std::uint64_t failing_percent);

} // namespace settle::simulation
