// The domain's records: what a user, an account, a transfer and a ledger entry are.
// Plain values; the actors own them and persistence stores them.
#pragma once

#include "domain/ids.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace settle {

// The tenant of the system accounts (acc_world_<CUR>), visible to admins only.
inline const tenant_name system_tenant{"_system"};

struct user_record {
  user_id id;
  tenant_name tenant;
  std::string name;
  std::string email;
  bool deleted = false;
  std::int64_t created_at = 0; // milliseconds since the epoch
  std::int64_t ordinal = 0;
};

enum class account_status : std::uint8_t { open, closed };

struct account_record {
  account_id id;
  tenant_name tenant;
  settle::user_id user_id;
  std::string currency;
  std::int64_t balance = 0;
  std::int64_t held = 0;
  std::int64_t overdraft_limit = 0;
  account_status status = account_status::open;
  std::int64_t created_at = 0;
  std::int64_t ordinal = 0;
};

// Net deposits of one tenant in one currency: money in through the world account minus
// money out through it (negative when a tenant paid out money received from others).
struct tenant_amount {
  tenant_name tenant;
  std::int64_t amount = 0;
};

// An account as loaded to start its actor; a world account also carries each tenant's
// net deposits (see tenant_deposits).
struct account_snapshot {
  account_record record;
  std::vector<tenant_amount> net_deposits;
};

enum class transfer_kind : std::uint8_t { deposit, withdrawal, transfer, capture, refund };

const char* to_string(transfer_kind kind) noexcept;
const char* to_string(account_status status) noexcept;

struct transfer_record {
  transfer_id id;
  transfer_kind kind = transfer_kind::transfer;
  account_id from_account;
  account_id to_account;
  tenant_name from_tenant;
  tenant_name to_tenant;
  settle::order_id order_id; // empty: none
  std::int64_t amount = 0;
  std::string currency;
  std::string description;
  std::int64_t created_at = 0;
  std::int64_t settled_at = 0;
  std::int64_t ordinal = 0;
};

struct entry_record {
  entry_id id;
  settle::account_id account_id;
  settle::transfer_id transfer_id;
  settle::order_id order_id;
  transfer_kind kind = transfer_kind::transfer;
  std::int64_t amount = 0; // signed: + credit, - debit
  std::int64_t balance_after = 0;
  std::int64_t created_at = 0;
  std::int64_t ordinal = 0;
};

} // namespace settle
