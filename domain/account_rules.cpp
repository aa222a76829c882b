// Account money rules. Every intermediate result is checked, so an overflow becomes
// `amount_too_large` instead of a wrapped balance.
#include "domain/account_rules.hpp"

#include "domain/money.hpp"

namespace settle {

std::optional<std::int64_t> reported_available(const account_balance& account) noexcept {
  auto with_overdraft = checked_add(account.balance, account.overdraft_limit);
  if (!with_overdraft) {
    return std::nullopt;
  }
  return checked_subtract(*with_overdraft, account.held);
}

std::optional<std::int64_t> spendable(const account_balance& account) noexcept {
  auto available = reported_available(account);
  if (!available) {
    return std::nullopt;
  }
  return checked_subtract(*available, account.pending_debits);
}

std::optional<settle_errc> check_debit(const account_balance& account, std::int64_t amount,
                                       std::int64_t usable_credits) noexcept {
  auto can_spend = spendable(account);
  if (!can_spend) {
    return settle_errc::amount_too_large;
  }
  auto with_credits = checked_add(*can_spend, usable_credits);
  if (!with_credits) {
    return settle_errc::amount_too_large;
  }
  if (*with_credits < amount) {
    return settle_errc::insufficient_funds;
  }
  // The balance after every reserved debit commits must still fit in 64 bits.
  auto debited = checked_subtract(account.balance, account.pending_debits);
  if (!debited || !checked_subtract(*debited, amount)) {
    return settle_errc::amount_too_large;
  }
  return std::nullopt;
}

std::optional<settle_errc> check_system_debit(const account_balance& account,
                                              std::int64_t amount) noexcept {
  auto debited = checked_subtract(account.balance, account.pending_debits);
  if (!debited || !checked_subtract(*debited, amount)) {
    return settle_errc::amount_too_large;
  }
  return std::nullopt;
}

std::optional<settle_errc> check_credit(const account_balance& account,
                                        std::int64_t amount) noexcept {
  // The balance after every promised credit commits, and the available amount derived
  // from it, must still fit in 64 bits.
  auto credited = checked_add(account.balance, account.pending_credits);
  if (!credited) {
    return settle_errc::amount_too_large;
  }
  auto after = checked_add(*credited, amount);
  if (!after || !checked_add(*after, account.overdraft_limit)) {
    return settle_errc::amount_too_large;
  }
  return std::nullopt;
}

bool is_empty(const account_balance& account) noexcept {
  return account.balance == 0 && account.held == 0 && account.pending_debits == 0
         && account.pending_credits == 0;
}

} // namespace settle
