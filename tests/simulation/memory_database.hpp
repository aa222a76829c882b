// The simulation's database: what a real one keeps durable, in memory, with the
// constraints of the schema (unique ids, rows that must exist), applied a group at a
// time, all or nothing. It outlives every incarnation of the simulated node: a crash
// loses the actors, never what was committed here.
#pragma once

#include "domain/order.hpp"
#include "domain/records.hpp"
#include "persistence/write_set.hpp"

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace settle::simulation {

struct memory_database {
  explicit memory_database(const std::vector<std::string>& currencies);

  // Throws persistence::storage_error, with nothing applied, when a row of the group
  // breaks a constraint. Returns the group's events, numbered.
  std::vector<persistence::event_record>
  apply(const std::vector<const persistence::write_set*>& group);

  // Each tenant's net deposits through the world account `world_id`, as the real store
  // sums them from the transfers.
  std::vector<tenant_amount> net_deposits_through(const account_id& world) const;

  // A leg given up by its account's node: true if no commit had claimed it.
  bool claim_leg(const std::string& leg_id);

  std::map<user_id, user_record> users;
  std::map<account_id, account_record> accounts;
  std::map<transfer_id, transfer_record> transfers;
  // The entries table, reduced to what the invariants need: each account's sum.
  std::map<account_id, std::int64_t> sum_of_entries;
  std::map<order_id, order_record> orders;
  // Every state of each order that was ever committed, in order.
  std::map<order_id, std::vector<order_record>> order_history;
  // For the invariants: how many plain transfers and orders carry each description
  // (the simulated clients make every request's descriptions unique), and the money
  // each order's captures and refunds moved.
  std::map<std::string, int> transfers_by_description;
  std::map<std::string, int> orders_by_description;
  std::map<order_id, std::int64_t> captured_by_order;
  std::map<order_id, std::int64_t> refunded_by_order;
  std::map<std::pair<tenant_name, std::string>, persistence::idempotency_record> idempotency;
  std::set<std::string> leg_claims;
  std::int64_t last_event_seq = 0;
  std::int64_t groups_committed = 0;

private:
  void check(const std::vector<const persistence::write_set*>& group) const;
  void apply_one(const persistence::write_set& writes);
};

} // namespace settle::simulation
