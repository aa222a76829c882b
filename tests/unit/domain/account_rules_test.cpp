// Tests the money rules of an account: available, spendable, debit and credit checks, emptiness.
#include "domain/account_rules.hpp"

#include "domain/money.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>
#include <optional>
#include <string>

namespace {

constexpr std::int64_t largest = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t smallest = std::numeric_limits<std::int64_t>::min();

// The answer of check_debit or check_credit, spelled so that a failed check shows it.
std::string outcome(std::optional<settle::settle_errc> refusal) {
  if (!refusal) {
    return "accepted";
  }
  switch (*refusal) {
    case settle::settle_errc::insufficient_funds:
      return "insufficient_funds";
    case settle::settle_errc::amount_too_large:
      return "amount_too_large";
    default:
      return "unexpected code " + std::to_string(static_cast<int>(*refusal));
  }
}

settle::account_balance make_balance(std::int64_t balance, std::int64_t overdraft_limit = 0,
                                     std::int64_t held = 0, std::int64_t pending_debits = 0,
                                     std::int64_t pending_credits = 0) {
  settle::account_balance account;
  account.balance = balance;
  account.overdraft_limit = overdraft_limit;
  account.held = held;
  account.pending_debits = pending_debits;
  account.pending_credits = pending_credits;
  return account;
}

} // namespace

TEST_CASE("reported_available is balance plus overdraft limit minus held", "[account_rules]") {
  auto plain = settle::reported_available(make_balance(100));
  REQUIRE(plain.has_value());
  CHECK(*plain == 100);

  auto with_everything = settle::reported_available(make_balance(100, 50, 30));
  REQUIRE(with_everything.has_value());
  CHECK(*with_everything == 120);

  auto overdraft_only = settle::reported_available(make_balance(0, 500));
  REQUIRE(overdraft_only.has_value());
  CHECK(*overdraft_only == 500);

  auto all_held = settle::reported_available(make_balance(70, 30, 100));
  REQUIRE(all_held.has_value());
  CHECK(*all_held == 0);
}

TEST_CASE("reported_available ignores the movements still committing", "[account_rules]") {
  auto available = settle::reported_available(make_balance(100, 50, 30, 40, 60));
  REQUIRE(available.has_value());
  CHECK(*available == 120);
}

TEST_CASE("reported_available reaches INT64_MAX but reports an overflow past it",
          "[account_rules]") {
  constexpr std::int64_t most_overdraft = settle::maximum_amount;
  auto at_the_top =
    settle::reported_available(make_balance(largest - most_overdraft, most_overdraft));
  REQUIRE(at_the_top.has_value());
  CHECK(*at_the_top == largest);

  CHECK_FALSE(settle::reported_available(make_balance(largest, 1)).has_value());
  CHECK_FALSE(settle::reported_available(make_balance(largest - most_overdraft + 1, most_overdraft))
                .has_value());
}

TEST_CASE("reported_available reports an overflow past INT64_MIN", "[account_rules]") {
  auto at_the_bottom = settle::reported_available(make_balance(smallest + 5, 0, 5));
  REQUIRE(at_the_bottom.has_value());
  CHECK(*at_the_bottom == smallest);

  CHECK_FALSE(settle::reported_available(make_balance(smallest, 0, 1)).has_value());
  CHECK_FALSE(settle::reported_available(make_balance(smallest + 5, 0, 6)).has_value());
}

TEST_CASE("spendable is reported_available minus pending debits, pending credits excluded",
          "[account_rules]") {
  auto spendable = settle::spendable(make_balance(100, 50, 30, 20, 1'000));
  REQUIRE(spendable.has_value());
  CHECK(*spendable == 100);

  auto nothing_pending = settle::spendable(make_balance(100, 50, 30));
  REQUIRE(nothing_pending.has_value());
  CHECK(*nothing_pending == 120);

  auto only_credits_pending = settle::spendable(make_balance(0, 0, 0, 0, 500));
  REQUIRE(only_credits_pending.has_value());
  CHECK(*only_credits_pending == 0);
}

TEST_CASE("spendable reports an overflow of available or of the pending debits",
          "[account_rules]") {
  CHECK_FALSE(settle::spendable(make_balance(largest, 1)).has_value());
  CHECK_FALSE(settle::spendable(make_balance(smallest, 0, 0, 1)).has_value());
  CHECK_FALSE(settle::spendable(make_balance(smallest + 10, 0, 5, 6)).has_value());

  auto at_the_bottom = settle::spendable(make_balance(smallest + 10, 0, 5, 5));
  REQUIRE(at_the_bottom.has_value());
  CHECK(*at_the_bottom == smallest);
}

TEST_CASE("check_debit accepts up to what is spendable and refuses one more",
          "[account_rules]") {
  const auto account = make_balance(1'000);
  CHECK(outcome(settle::check_debit(account, 1)) == "accepted");
  CHECK(outcome(settle::check_debit(account, 999)) == "accepted");
  CHECK(outcome(settle::check_debit(account, 1'000)) == "accepted");
  CHECK(outcome(settle::check_debit(account, 1'001)) == "insufficient_funds");
  CHECK(outcome(settle::check_debit(account, settle::maximum_amount)) == "insufficient_funds");
}

TEST_CASE("check_debit refuses any debit from an empty account", "[account_rules]") {
  const settle::account_balance empty;
  CHECK(outcome(settle::check_debit(empty, 1)) == "insufficient_funds");
  CHECK(outcome(settle::check_debit(empty, settle::maximum_amount)) == "insufficient_funds");
}

TEST_CASE("check_debit lets the overdraft limit be spent, and no more", "[account_rules]") {
  const auto overdraft_only = make_balance(0, 500);
  CHECK(outcome(settle::check_debit(overdraft_only, 500)) == "accepted");
  CHECK(outcome(settle::check_debit(overdraft_only, 501)) == "insufficient_funds");

  const auto balance_and_overdraft = make_balance(100, 500);
  CHECK(outcome(settle::check_debit(balance_and_overdraft, 600)) == "accepted");
  CHECK(outcome(settle::check_debit(balance_and_overdraft, 601)) == "insufficient_funds");

  const auto already_overdrawn = make_balance(-400, 500);
  CHECK(outcome(settle::check_debit(already_overdrawn, 100)) == "accepted");
  CHECK(outcome(settle::check_debit(already_overdrawn, 101)) == "insufficient_funds");

  const auto fully_overdrawn = make_balance(-500, 500);
  CHECK(outcome(settle::check_debit(fully_overdrawn, 1)) == "insufficient_funds");

  const auto largest_overdraft = make_balance(0, settle::maximum_amount);
  CHECK(outcome(settle::check_debit(largest_overdraft, settle::maximum_amount)) == "accepted");
}

TEST_CASE("check_debit counts held money and pending debits as unavailable",
          "[account_rules]") {
  const auto with_hold = make_balance(1'000, 0, 300);
  CHECK(outcome(settle::check_debit(with_hold, 700)) == "accepted");
  CHECK(outcome(settle::check_debit(with_hold, 701)) == "insufficient_funds");

  const auto with_pending_debit = make_balance(1'000, 0, 0, 400);
  CHECK(outcome(settle::check_debit(with_pending_debit, 600)) == "accepted");
  CHECK(outcome(settle::check_debit(with_pending_debit, 601)) == "insufficient_funds");

  const auto with_everything = make_balance(1'000, 200, 300, 400);
  CHECK(outcome(settle::check_debit(with_everything, 500)) == "accepted");
  CHECK(outcome(settle::check_debit(with_everything, 501)) == "insufficient_funds");

  const auto fully_reserved = make_balance(1'000, 0, 600, 400);
  CHECK(outcome(settle::check_debit(fully_reserved, 1)) == "insufficient_funds");
}

TEST_CASE("check_debit does not spend credits that are still committing", "[account_rules]") {
  const auto only_promised = make_balance(0, 0, 0, 0, 1'000);
  CHECK(outcome(settle::check_debit(only_promised, 1)) == "insufficient_funds");

  const auto some_settled = make_balance(100, 0, 0, 0, 1'000);
  CHECK(outcome(settle::check_debit(some_settled, 100)) == "accepted");
  CHECK(outcome(settle::check_debit(some_settled, 101)) == "insufficient_funds");
}

TEST_CASE("check_debit answers amount_too_large when available overflows", "[account_rules]") {
  CHECK(outcome(settle::check_debit(make_balance(largest, 1), 1)) == "amount_too_large");
  CHECK(outcome(settle::check_debit(make_balance(largest, settle::maximum_amount), 1))
        == "amount_too_large");
  CHECK(outcome(settle::check_debit(make_balance(smallest, 0, 1), 1)) == "amount_too_large");
  CHECK(outcome(settle::check_debit(make_balance(smallest, 0, 0, 1), 1)) == "amount_too_large");
}

TEST_CASE("check_debit answers amount_too_large when the balance after it would not fit",
          "[account_rules]") {
  // Unreachable with non-negative holds; a negative hold makes the spendable amount
  // large enough while the committed balance would fall past INT64_MIN.
  const auto account = make_balance(smallest, largest, -10);
  auto spendable = settle::spendable(account);
  REQUIRE(spendable.has_value());
  REQUIRE(*spendable == 9);
  CHECK(outcome(settle::check_debit(account, 5)) == "amount_too_large");

  const auto with_pending = make_balance(smallest + 5, largest, -10, 5);
  CHECK(outcome(settle::check_debit(with_pending, 1)) == "amount_too_large");
}

TEST_CASE("check_credit accepts a credit whose result fits in 64 bits", "[account_rules]") {
  const settle::account_balance empty;
  CHECK(outcome(settle::check_credit(empty, 1)) == "accepted");
  CHECK(outcome(settle::check_credit(empty, settle::maximum_amount)) == "accepted");

  const auto near_the_top = make_balance(largest - 10);
  CHECK(outcome(settle::check_credit(near_the_top, 10)) == "accepted");

  const auto negative_world_balance = make_balance(smallest);
  CHECK(outcome(settle::check_credit(negative_world_balance, settle::maximum_amount))
        == "accepted");
}

TEST_CASE("check_credit answers amount_too_large when the balance would pass INT64_MAX",
          "[account_rules]") {
  CHECK(outcome(settle::check_credit(make_balance(largest - 10), 11)) == "amount_too_large");
  CHECK(outcome(settle::check_credit(make_balance(largest), 1)) == "amount_too_large");
  CHECK(outcome(settle::check_credit(make_balance(largest - settle::maximum_amount + 1),
                                     settle::maximum_amount))
        == "amount_too_large");
}

TEST_CASE("check_credit counts the credits still committing", "[account_rules]") {
  const auto with_pending = make_balance(largest - 100, 0, 0, 0, 90);
  CHECK(outcome(settle::check_credit(with_pending, 10)) == "accepted");
  CHECK(outcome(settle::check_credit(with_pending, 11)) == "amount_too_large");

  const auto pending_overflows = make_balance(largest, 0, 0, 0, 1);
  CHECK(outcome(settle::check_credit(pending_overflows, 1)) == "amount_too_large");
}

TEST_CASE("check_credit keeps the available amount derived from the balance in range",
          "[account_rules]") {
  const auto with_overdraft = make_balance(largest - 100, 50);
  CHECK(outcome(settle::check_credit(with_overdraft, 50)) == "accepted");
  CHECK(outcome(settle::check_credit(with_overdraft, 51)) == "amount_too_large");

  const auto with_everything = make_balance(largest - 100, 30, 0, 0, 20);
  CHECK(outcome(settle::check_credit(with_everything, 50)) == "accepted");
  CHECK(outcome(settle::check_credit(with_everything, 51)) == "amount_too_large");
}

TEST_CASE("check_credit does not count pending debits as room for a credit",
          "[account_rules]") {
  const auto with_pending_debit = make_balance(largest - 10, 0, 0, 1'000);
  CHECK(outcome(settle::check_credit(with_pending_debit, 11)) == "amount_too_large");
}

TEST_CASE("is_empty is true only with no balance, no holds and nothing in flight",
          "[account_rules]") {
  CHECK(settle::is_empty(settle::account_balance{}));
  CHECK(settle::is_empty(make_balance(0, settle::maximum_amount)));

  CHECK_FALSE(settle::is_empty(make_balance(1)));
  CHECK_FALSE(settle::is_empty(make_balance(-1, 500)));
  CHECK_FALSE(settle::is_empty(make_balance(0, 0, 1)));
  CHECK_FALSE(settle::is_empty(make_balance(0, 0, 0, 1)));
  CHECK_FALSE(settle::is_empty(make_balance(0, 0, 0, 0, 1)));
}
