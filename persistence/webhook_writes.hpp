// The webhook rows of a group commit: endpoints created and changed, and deliveries
// recorded. Part of the group's transaction (see ledger_store), so a delivery's outcome
// and the endpoint's cursor after it are durable together.
#pragma once

#include "persistence/storage_url.hpp"
#include "persistence/write_set.hpp"

#include <vector>

namespace settle::persistence {

class commit_script;

void write_webhook_rows(commit_script& script, dialect kind,
                        const std::vector<const write_set*>& group);

} // namespace settle::persistence
