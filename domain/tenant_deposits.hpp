// The world account's rule for tenants. Money enters a currency through its one world
// account (acc_world_<CUR>), whose balance is minus the sum of every other balance and
// must stay within 64 bits. Without a share per tenant, one tenant depositing ~9,224
// times 10^15 would exhaust it, and deposits of that currency would be refused to every
// tenant. So each tenant may bring in at most maximum_tenant_net_deposits more than it
// took out, per currency: no tenant can refuse deposits to another unless more than
// (2^63 - 1) / 10^16 = 922 tenants each hold their whole share. Orders paid to a world
// account (admins only) move money outside this rule.
#pragma once

#include "domain/errc.hpp"
#include "domain/records.hpp"

#include <cstdint>
#include <optional>
#include <unordered_map>
#include <vector>

namespace settle {

inline constexpr std::int64_t maximum_tenant_net_deposits = 10'000'000'000'000'000; // 10^16

// The net deposits of every tenant, committed and reserved, as the world account keeps
// them. An entry (a deposit) is reserved until its commit; an exit (a withdrawal) counts
// only once committed, so what is in flight never makes room.
class tenant_deposits {
public:
  tenant_deposits() = default;
  explicit tenant_deposits(const std::vector<tenant_amount>& committed);

  // Reserves `amount` entering for `tenant`, or returns amount_too_large when the
  // tenant's net deposits (committed and reserved) would pass the maximum.
  std::optional<settle_errc> reserve_entry(const tenant_name& tenant, std::int64_t amount);

  // Ends a reserved entry; a committed one adds to the tenant's net deposits.
  void settle_entry(const tenant_name& tenant, std::int64_t amount, bool committed);

  // A committed exit takes `amount` off the tenant's net deposits.
  void record_exit(const tenant_name& tenant, std::int64_t amount);

  // Committed net deposits of `tenant`.
  std::int64_t net(const tenant_name& tenant) const;

private:
  struct totals {
    std::int64_t net = 0;      // committed
    std::int64_t reserved = 0; // entries in flight
  };
  std::unordered_map<tenant_name, totals> by_tenant_;
};

} // namespace settle
