#include "persistence/known_accounts.hpp"

namespace settle::persistence {

const known_accounts::state* known_accounts::find(const account_id& account) const {
  auto found = by_id_.find(account.value);
  return found == by_id_.end() ? nullptr : &*found->second;
}

void known_accounts::remember(state committed) {
  if (capacity_ == 0) {
    return;
  }
  auto found = by_id_.find(committed.account.id.value);
  if (found != by_id_.end()) {
    // Moved to the front in place: no node, key or id string made again per commit.
    *found->second = std::move(committed);
    states_.splice(states_.begin(), states_, found->second);
    return;
  }
  states_.push_front(std::move(committed));
  by_id_.emplace(states_.front().account.id.value, states_.begin());
  if (states_.size() > capacity_) {
    by_id_.erase(states_.back().account.id.value);
    states_.pop_back();
  }
}

void known_accounts::forget(const account_id& account) {
  auto found = by_id_.find(account.value);
  if (found != by_id_.end()) {
    states_.erase(found->second);
    by_id_.erase(found);
  }
}

void known_accounts::clear() noexcept {
  by_id_.clear();
  states_.clear();
}

} // namespace settle::persistence
