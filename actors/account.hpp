// Spawns the actor of one account, from its stored record.
#pragma once

#include "actors/interfaces.hpp"

#include <caf/fwd.hpp>

namespace settle {

account_actor spawn_account(caf::actor_system& system, account_record record,
                            ledger_writer_actor writer);

} // namespace settle
