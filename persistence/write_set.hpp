// What one request asks the ledger writer to commit. Many write sets are committed
// together in one transaction (group commit); each is all-or-nothing.
#pragma once

#include "domain/clock.hpp"
#include "domain/order.hpp"
#include "domain/records.hpp"
#include "domain/request_deadline.hpp"
#include "domain/webhook_endpoint.hpp"
#include "domain/shard_fence.hpp"

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

// A change, as clients see it: written in the same transaction as the change (an
// outbox), numbered by the database with a sequence that only increases.
struct event_record {
  std::int64_t seq = 0;              // assigned by the database
  std::string name;                  // e.g. "transfer.settled"
  std::vector<std::string> tenants;  // who may see it
  std::vector<std::string> topics;   // the ids of the objects it concerns
  std::string object;                // the object's JSON, as GET returns it after the change
  std::int64_t at = 0;
};

inline event_record make_event(std::string name, std::vector<std::string> tenants,
                               std::vector<std::string> topics, std::string object) {
  return event_record{0,       std::move(name),   std::move(tenants),
                      std::move(topics), std::move(object), now_milliseconds()};
}

struct account_closure {
  settle::account_id account_id;
};

// A change of an account's held amount: + when an order is authorized, - when its
// hold is captured, cancelled or expires.
struct held_change {
  settle::account_id account_id;
  std::int64_t amount = 0;
};

// A write set carries the fence of every actor that took part in it (see shard_fence).
using settle::shard_fence;

// A leg reserved at an account actor on another node. The commit records it, and the
// account's node records the same key when it gives up waiting for the outcome: the
// database lets exactly one of them succeed, so the account learns the truth.
struct leg_claim {
  std::string leg_id;
  settle::account_id account_id;
};

struct write_set {
  // The request it is made for; none for the node's own work (expiry, passivation).
  request_deadline deadline;
  std::vector<shard_fence> fences;
  std::vector<leg_claim> leg_claims;
  std::vector<user_record> users_inserted;
  std::vector<user_record> users_updated; // name, email and deleted are rewritten
  std::vector<account_record> accounts_inserted;
  std::vector<account_closure> accounts_closed;
  std::vector<transfer_record> transfers; // each becomes two entries and two balance changes
  std::vector<held_change> held_changes;
  std::vector<order_record> orders_inserted;
  std::vector<order_record> orders_updated; // every field but the id is rewritten
  std::vector<idempotency_record> idempotency_records;
  std::vector<event_record> events;
  std::vector<webhook_endpoint_record> webhook_endpoints_inserted;
  // Every field but the id, the tenant, the secret and the creation is rewritten.
  std::vector<webhook_endpoint_record> webhook_endpoints_updated;
  // Inserted, or rewritten if the endpoint already has a delivery of the event.
  std::vector<webhook_delivery_record> webhook_deliveries;

  std::size_t row_count() const noexcept {
    return users_inserted.size() + users_updated.size() + accounts_inserted.size()
           + accounts_closed.size() + transfers.size() * 3 + held_changes.size()
           + orders_inserted.size() + orders_updated.size() + idempotency_records.size()
           + events.size() + leg_claims.size() + webhook_endpoints_inserted.size()
           + webhook_endpoints_updated.size() + webhook_deliveries.size();
  }
};

} // namespace settle::persistence
