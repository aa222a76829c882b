// What one request asks the ledger writer to commit. Many write sets are committed
// together in one transaction (group commit); each is all-or-nothing.
#pragma once

#include "domain/order.hpp"
#include "domain/records.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace settle::persistence {

// A stored answer to a request with an Idempotency-Key, replayed on a repeat.
struct idempotency_record {
  tenant_name tenant;
  std::string key;
  std::string fingerprint; // hash of method, path and body
  std::int64_t status = 0;
  std::string body;
  std::int64_t created_at = 0;
};

struct account_closure {
  std::string account_id;
};

// A change of an account's held amount: + when an order is authorized, - when its
// hold is captured, cancelled or expires.
struct held_change {
  std::string account_id;
  std::int64_t amount = 0;
};

struct write_set {
  std::vector<user_record> users_inserted;
  std::vector<user_record> users_updated; // name, email and deleted are rewritten
  std::vector<account_record> accounts_inserted;
  std::vector<account_closure> accounts_closed;
  std::vector<transfer_record> transfers; // each becomes two entries and two balance changes
  std::vector<held_change> held_changes;
  std::vector<order_record> orders_inserted;
  std::vector<order_record> orders_updated; // every field but the id is rewritten
  std::vector<idempotency_record> idempotency_records;

  std::size_t row_count() const noexcept {
    return users_inserted.size() + users_updated.size() + accounts_inserted.size()
           + accounts_closed.size() + transfers.size() * 3 + held_changes.size()
           + orders_inserted.size() + orders_updated.size() + idempotency_records.size();
  }
};

} // namespace settle::persistence
