// Spawns the detached ledger writer: the one actor that commits to the database.
#pragma once

#include "actors/interfaces.hpp"
#include "config/options.hpp"
#include "persistence/ledger_store.hpp"
#include "persistence/storage_url.hpp"

#include <memory>

#include <caf/fwd.hpp>

namespace settle {

ledger_writer_actor spawn_ledger_writer(caf::actor_system& system,
                                        const persistence::storage_url& url,
                                        const config::storage_options& options,
                                        std::int64_t largest_stored_ordinal,
                                        std::shared_ptr<const persistence::account_renderer> renderer,
                                        event_hub_actor hub);

} // namespace settle
