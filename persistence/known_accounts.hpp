// The accounts as this writer's own commits left them. A writer that alone changes the
// accounts table (PostgreSQL, one node, one writer connection) knows each balance after
// a group without asking the database, so a group of known accounts commits in one round
// trip instead of two (the netted update's RETURNING no longer has to come back before
// the transfer rows can carry their balance_after). The database still checks every
// one: the update names the state it expects (see ledger_store::insert_transfers), and
// a row changed behind the writer refuses the group, which is then committed by asking.
// Bounded: past `capacity` accounts the least recently committed one is forgotten.
#pragma once

#include "domain/records.hpp"

#include <cstddef>
#include <cstdint>
#include <list>
#include <string>
#include <unordered_map>

namespace settle::persistence {

class known_accounts {
public:
  struct state {
    account_record account;
    std::int64_t entry_position = 0; // the account's last entry's
  };

  explicit known_accounts(std::size_t capacity) : capacity_(capacity) {}

  // The account's committed state, or null if this writer does not know it.
  const state* find(const account_id& account) const;

  void remember(state committed);
  void forget(const account_id& account);
  void clear() noexcept;

  std::size_t size() const noexcept { return by_id_.size(); }

private:
  using recency = std::list<state>; // most recently committed first
  std::size_t capacity_;
  recency states_;
  std::unordered_map<std::string, recency::iterator> by_id_;
};

} // namespace settle::persistence
