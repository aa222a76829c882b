#include "domain/tenant_deposits.hpp"

#include "domain/assert.hpp"
#include "domain/money.hpp"

#include <limits>

namespace settle {

tenant_deposits::tenant_deposits(const std::vector<tenant_amount>& committed) {
  for (const auto& [tenant, amount] : committed) {
    by_tenant_[tenant].net = amount;
  }
}

std::optional<settle_errc> tenant_deposits::reserve_entry(const tenant_name& tenant,
                                                          std::int64_t amount) {
  auto& totals = by_tenant_[tenant];
  // reserved grows only while net + reserved stays within 10^16: no sum here overflows.
  if (totals.net + totals.reserved > maximum_tenant_net_deposits - amount) {
    return settle_errc::amount_too_large;
  }
  totals.reserved += amount;
  return std::nullopt;
}

void tenant_deposits::settle_entry(const tenant_name& tenant, std::int64_t amount,
                                   bool committed) {
  auto& totals = by_tenant_[tenant];
  SETTLE_ASSERT(totals.reserved >= amount);
  totals.reserved -= amount;
  if (committed) {
    totals.net += amount;
  }
}

void tenant_deposits::record_exit(const tenant_name& tenant, std::int64_t amount) {
  auto& totals = by_tenant_[tenant];
  // Far below zero only when a tenant paid out money of many others; the floor keeps
  // the arithmetic defined and is never near a limit that matters.
  totals.net = checked_subtract(totals.net, amount)
                 .value_or(std::numeric_limits<std::int64_t>::min());
}

std::int64_t tenant_deposits::net(const tenant_name& tenant) const {
  auto found = by_tenant_.find(tenant);
  return found == by_tenant_.end() ? 0 : found->second.net;
}

} // namespace settle
