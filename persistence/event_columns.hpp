// How an event's tenants and topics are stored. Both lists are kept as space-padded text
// (" a b "), read back whole. For the tenant-scoped event page the tenants are also kept
// as two indexed columns: an event concerns at most two tenants (a transfer's sides, an
// order's payer and payee), so `tenant` holds the first and `other_tenant` the second
// when it differs (NULL otherwise), and the page is two index scans merged.
#pragma once

#include <string>
#include <vector>

namespace settle::persistence {

std::string padded_list(const std::vector<std::string>& items);
std::vector<std::string> split_words(const std::string& padded);

struct event_tenant_columns {
  std::string tenant;
  std::string other_tenant; // empty: NULL
};

event_tenant_columns tenant_columns_of(const std::vector<std::string>& tenants);

} // namespace settle::persistence
