// Tests the ledger writer's memory of the accounts it committed: found as remembered,
// replaced by a later commit, forgotten on demand, and bounded, the least recently
// committed account going first.
#include "persistence/known_accounts.hpp"

#include <catch2/catch.hpp>

#include <string>

namespace {

using settle::persistence::known_accounts;

known_accounts::state committed(const std::string& id, std::int64_t balance,
                                std::int64_t position) {
  known_accounts::state state;
  state.account.id = settle::account_id{id};
  state.account.balance = balance;
  state.entry_position = position;
  return state;
}

settle::account_id id(const std::string& value) {
  return settle::account_id{value};
}

} // namespace

TEST_CASE("known accounts keep each account's latest committed state", "[known_accounts]") {
  known_accounts known{4};
  CHECK(known.find(id("acc_a")) == nullptr);
  known.remember(committed("acc_a", 100, 1));
  known.remember(committed("acc_b", 5, 0));
  known.remember(committed("acc_a", 70, 2));
  CHECK(known.size() == 2);
  REQUIRE(known.find(id("acc_a")) != nullptr);
  CHECK(known.find(id("acc_a"))->account.balance == 70);
  CHECK(known.find(id("acc_a"))->entry_position == 2);
  known.forget(id("acc_a"));
  known.forget(id("acc_missing"));
  CHECK(known.find(id("acc_a")) == nullptr);
  CHECK(known.size() == 1);
  known.clear();
  CHECK(known.find(id("acc_b")) == nullptr);
  CHECK(known.size() == 0);
}

TEST_CASE("known accounts forget the least recently committed past their capacity",
          "[known_accounts]") {
  known_accounts known{3};
  known.remember(committed("acc_1", 1, 1));
  known.remember(committed("acc_2", 2, 1));
  known.remember(committed("acc_3", 3, 1));
  CHECK(known.size() == 3);
  known.remember(committed("acc_1", 10, 2)); // committed again: now the most recent
  known.remember(committed("acc_4", 4, 1));  // the fourth: acc_2 goes
  CHECK(known.size() == 3);
  CHECK(known.find(id("acc_2")) == nullptr);
  CHECK(known.find(id("acc_1")) != nullptr);
  CHECK(known.find(id("acc_3")) != nullptr);
  CHECK(known.find(id("acc_4")) != nullptr);
  known.remember(committed("acc_5", 5, 1)); // then acc_3
  CHECK(known.find(id("acc_3")) == nullptr);
  CHECK(known.size() == 3);

  known_accounts none{0};
  none.remember(committed("acc_1", 1, 1));
  CHECK(none.find(id("acc_1")) == nullptr);
  CHECK(none.size() == 0);
}
