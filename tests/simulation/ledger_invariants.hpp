// The ledger's invariants over the durable state, checked after every step of the
// simulation: per currency the balances sum to zero; every balance is the sum of its
// entries; no customer account has less than nothing available; the money held is
// exactly what authorized orders hold; every order's captures and refunds add up.
#pragma once

#include "memory_database.hpp"

#include <optional>
#include <string>

namespace settle::simulation {

// The first invariant broken, described; nullopt if all hold.
std::optional<std::string> broken_invariant(const memory_database& database);

} // namespace settle::simulation
