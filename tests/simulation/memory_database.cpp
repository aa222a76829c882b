#include "memory_database.hpp"

#include "domain/currency.hpp"
#include "persistence/connection.hpp"

namespace settle::simulation {
namespace {

using persistence::storage_error;

// The ids a group inserts must be new, in the table and within the group.
class unique_keys {
public:
  template <class Table, class Key>
  void insert(const Table& table, const Key& key, const char* what, const std::string& name) {
    if (table.count(key) != 0 || !seen_.insert(std::string{what} + name).second) {
      throw storage_error{std::string{"duplicate key of "} + what + name};
    }
  }

  template <class Table>
  void insert(const Table& table, const std::string& key, const char* what) {
    insert(table, key, what, key);
  }

  template <class Table, class Tag>
  void insert(const Table& table, const strong_id<Tag>& key, const char* what) {
    insert(table, key, what, key.value);
  }

  bool inserted(const char* what, const std::string& key) const {
    return seen_.count(std::string{what} + key) != 0;
  }

private:
  std::set<std::string> seen_;
};

} // namespace

memory_database::memory_database(const std::vector<std::string>& currencies) {
  for (const auto& currency : currencies) {
    account_record world;
    world.id = world_account_id(currency);
    world.tenant = system_tenant;
    world.currency = currency;
    accounts.emplace(world.id, world);
  }
}

void memory_database::check(const std::vector<const persistence::write_set*>& group) const {
  unique_keys keys;
  // A row the group refers to must be stored or inserted earlier in the group.
  auto require = [&](const auto& table, const char* what, const auto& id) {
    if (table.count(id) == 0 && !keys.inserted(what, id.value)) {
      throw storage_error{std::string{"foreign key: no "} + what + id.value};
    }
  };
  auto require_account = [&](const account_id& id) { require(accounts, "account ", id); };
  for (const auto* writes : group) {
    for (const auto& claim : writes->leg_claims) {
      keys.insert(leg_claims, claim.leg_id, "leg ");
    }
    for (const auto& user : writes->users_inserted) {
      keys.insert(users, user.id, "user ");
    }
    for (const auto& user : writes->users_updated) {
      require(users, "user ", user.id);
    }
    for (const auto& account : writes->accounts_inserted) {
      keys.insert(accounts, account.id, "account ");
      require(users, "user ", account.user_id);
    }
    for (const auto& closure : writes->accounts_closed) {
      require_account(closure.account_id);
    }
    for (const auto& order : writes->orders_inserted) {
      keys.insert(orders, order.id, "order ");
    }
    for (const auto& order : writes->orders_updated) {
      require(orders, "order ", order.id);
    }
    for (const auto& transfer : writes->transfers) {
      keys.insert(transfers, transfer.id, "transfer ");
      require_account(transfer.from_account);
      require_account(transfer.to_account);
      if (transfer.amount <= 0) {
        throw storage_error{"check: a transfer's amount must be positive"};
      }
    }
    for (const auto& change : writes->held_changes) {
      require_account(change.account_id);
    }
    for (const auto& record : writes->idempotency_records) {
      keys.insert(idempotency, std::make_pair(record.tenant, record.key), "idempotency key ",
                  record.tenant.value + "/" + record.key);
    }
  }
}

void memory_database::apply_one(const persistence::write_set& writes) {
  for (const auto& claim : writes.leg_claims) {
    leg_claims.insert(claim.leg_id);
  }
  for (const auto& user : writes.users_inserted) {
    users[user.id] = user;
  }
  for (const auto& user : writes.users_updated) {
    auto& stored = users[user.id];
    stored.name = user.name;
    stored.email = user.email;
    stored.deleted = user.deleted;
  }
  for (const auto& account : writes.accounts_inserted) {
    accounts[account.id] = account;
  }
  for (const auto& closure : writes.accounts_closed) {
    accounts[closure.account_id].status = account_status::closed;
  }
  for (const auto& order : writes.orders_inserted) {
    ++orders_by_description[order.description];
    orders[order.id] = order;
    order_history[order.id].push_back(order);
  }
  for (const auto& order : writes.orders_updated) {
    orders[order.id] = order;
    order_history[order.id].push_back(order);
  }
  for (const auto& transfer : writes.transfers) {
    transfers[transfer.id] = transfer;
    if (transfer.kind == transfer_kind::transfer) {
      ++transfers_by_description[transfer.description];
    } else if (transfer.kind == transfer_kind::capture) {
      captured_by_order[transfer.order_id] += transfer.amount;
    } else if (transfer.kind == transfer_kind::refund) {
      refunded_by_order[transfer.order_id] += transfer.amount;
    }
    accounts[transfer.from_account].balance -= transfer.amount;
    accounts[transfer.to_account].balance += transfer.amount;
    sum_of_entries[transfer.from_account] -= transfer.amount;
    sum_of_entries[transfer.to_account] += transfer.amount;
  }
  for (const auto& change : writes.held_changes) {
    accounts[change.account_id].held += change.amount;
  }
  for (const auto& record : writes.idempotency_records) {
    idempotency[{record.tenant, record.key}] = record;
  }
}

std::vector<persistence::event_record>
memory_database::apply(const std::vector<const persistence::write_set*>& group) {
  check(group);
  std::vector<persistence::event_record> events;
  for (const auto* writes : group) {
    apply_one(*writes);
    for (auto event : writes->events) {
      event.seq = ++last_event_seq;
      events.push_back(std::move(event));
    }
  }
  ++groups_committed;
  return events;
}

std::vector<tenant_amount> memory_database::net_deposits_through(const account_id& world) const {
  std::map<tenant_name, std::int64_t> net;
  for (const auto& [id, transfer] : transfers) {
    if (transfer.kind == transfer_kind::deposit && transfer.from_account == world) {
      net[transfer.to_tenant] += transfer.amount;
    } else if (transfer.kind == transfer_kind::withdrawal && transfer.to_account == world) {
      net[transfer.from_tenant] -= transfer.amount;
    }
  }
  std::vector<tenant_amount> totals;
  for (const auto& [tenant, amount] : net) {
    totals.push_back(tenant_amount{tenant, amount});
  }
  return totals;
}

bool memory_database::claim_leg(const std::string& leg_id) {
  return leg_claims.insert(leg_id).second;
}

} // namespace settle::simulation
