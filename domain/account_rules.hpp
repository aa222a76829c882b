// The rules of an account's money: available = balance + overdraft_limit - held - pending
// debits, never negative; every change checked for 64-bit overflow.
#pragma once

#include "domain/errc.hpp"
#include "domain/records.hpp"

#include <cstdint>
#include <optional>

namespace settle {

// An account's committed state plus the movements reserved but not yet committed.
struct account_balance {
  std::int64_t balance = 0;
  std::int64_t held = 0;
  std::int64_t overdraft_limit = 0;
  std::int64_t pending_debits = 0;  // reserved, committing
  std::int64_t pending_credits = 0; // promised, committing
};

// balance + overdraft_limit - held, as the API reports it; nothing on overflow.
std::optional<std::int64_t> reported_available(const account_balance& account) noexcept;

// What can still be debited: reported_available minus pending debits.
std::optional<std::int64_t> spendable(const account_balance& account) noexcept;

// Why a debit of `amount` must be refused, or nothing when it may be reserved.
// `usable_credits`: credits promised by earlier transfers of the same atomic unit,
// which commit together with this debit or not at all.
std::optional<settle_errc> check_debit(const account_balance& account, std::int64_t amount,
                                       std::int64_t usable_credits = 0) noexcept;

// The same for a system account, whose balance may go negative: only 64-bit overflow
// refuses a debit.
std::optional<settle_errc> check_system_debit(const account_balance& account,
                                              std::int64_t amount) noexcept;

// Why a credit of `amount` must be refused (it would overflow), or nothing.
std::optional<settle_errc> check_credit(const account_balance& account, std::int64_t amount) noexcept;

// True when the account may be closed: no balance, no holds, nothing in flight.
bool is_empty(const account_balance& account) noexcept;

} // namespace settle
