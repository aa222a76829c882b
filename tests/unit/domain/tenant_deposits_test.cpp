// Tests the world account's rule for tenants: each brings in at most its share of a currency.
#include "domain/money.hpp"
#include "domain/tenant_deposits.hpp"

#include <catch2/catch.hpp>

#include <limits>

using namespace settle;

namespace {
const tenant_name acme{"acme"};
const tenant_name globex{"globex"};
} // namespace

TEST_CASE("a tenant brings in at most its share, counting what is in flight",
          "[domain][tenant_deposits]") {
  tenant_deposits deposits{{{"acme", maximum_tenant_net_deposits - 2 * maximum_amount}}};
  CHECK_FALSE(deposits.reserve_entry(acme, maximum_amount));
  CHECK_FALSE(deposits.reserve_entry(acme, maximum_amount - 1));
  // Committed and reserved together are now the maximum less 1.
  CHECK(deposits.reserve_entry(acme, 2) == settle_errc::amount_too_large);
  CHECK_FALSE(deposits.reserve_entry(acme, 1));
  CHECK(deposits.reserve_entry(acme, 1) == settle_errc::amount_too_large);
  SECTION("other tenants keep their own share") {
    CHECK_FALSE(deposits.reserve_entry(globex, maximum_amount));
    CHECK(deposits.net(globex) == 0);
  }
  SECTION("an entry not committed gives its room back") {
    deposits.settle_entry(acme, maximum_amount, false);
    CHECK(deposits.net(acme) == maximum_tenant_net_deposits - 2 * maximum_amount);
    CHECK_FALSE(deposits.reserve_entry(acme, maximum_amount));
  }
  SECTION("a committed entry counts; a committed exit makes room") {
    deposits.settle_entry(acme, maximum_amount, true);
    CHECK(deposits.net(acme) == maximum_tenant_net_deposits - maximum_amount);
    deposits.record_exit(acme, 5);
    CHECK(deposits.net(acme) == maximum_tenant_net_deposits - maximum_amount - 5);
    CHECK_FALSE(deposits.reserve_entry(acme, 5));
    CHECK(deposits.reserve_entry(acme, 1) == settle_errc::amount_too_large);
  }
}

TEST_CASE("a tenant that paid out others' money may bring in more, and nothing wraps",
          "[domain][tenant_deposits]") {
  tenant_deposits deposits{{{"acme", -maximum_amount}}};
  CHECK_FALSE(deposits.reserve_entry(acme, maximum_amount));
  deposits.settle_entry(acme, maximum_amount, true);
  CHECK(deposits.net(acme) == 0);
  tenant_deposits far_below{{{"acme", std::numeric_limits<std::int64_t>::min() + 1}}};
  far_below.record_exit(acme, maximum_amount);
  CHECK(far_below.net(acme) == std::numeric_limits<std::int64_t>::min());
  CHECK_FALSE(far_below.reserve_entry(acme, maximum_amount));
}

TEST_CASE("net deposits loaded above the maximum (stored before the rule) refuse entries",
          "[domain][tenant_deposits]") {
  tenant_deposits deposits{{{"acme", std::numeric_limits<std::int64_t>::max()}}};
  CHECK(deposits.reserve_entry(acme, 1) == settle_errc::amount_too_large);
  deposits.record_exit(acme, maximum_amount);
  CHECK(deposits.net(acme) == std::numeric_limits<std::int64_t>::max() - maximum_amount);
}
