// Spawns the detached ledger writer: the one actor that commits to the database.
#pragma once

#include "actors/interfaces.hpp"
#include "config/options.hpp"
#include "persistence/storage_url.hpp"

#include <caf/fwd.hpp>

namespace settle {

ledger_writer_actor spawn_ledger_writer(caf::actor_system& system,
                                        const persistence::storage_url& url,
                                        const config::storage_options& options,
                                        std::int64_t largest_stored_ordinal);

} // namespace settle
