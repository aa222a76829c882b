// The storage reader: each request runs one blocking query on this actor's own thread
// (it is spawned detached), so no scheduler or Asio thread ever waits for the database.
#include "actors/storage_reader.hpp"

#include "persistence/connection.hpp"
#include "persistence/store_reader.hpp"

#include <caf/all.hpp>

#include <algorithm>
#include <memory>

namespace settle {
namespace {

using persistence::list_query;

// Runs `query`; after a database failure it reconnects and runs it once more, and a
// second failure is answered `unavailable`.
template <class T, class Query>
caf::result<T> guarded(persistence::store_reader& store, Query query) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    try {
      return query();
    } catch (const persistence::storage_error&) {
      try {
        store.reconnect();
      } catch (const persistence::storage_error&) {
        break;
      }
    }
  }
  return make_settle_error(settle_errc::unavailable, "the database cannot be reached");
}

template <class Record>
caf::result<Record> found_or_not_found(std::optional<Record> record, const char* what) {
  if (!record) {
    return make_settle_error(settle_errc::not_found, std::string{"no such "} + what);
  }
  return std::move(*record);
}

// A world account starts with each tenant's net deposits (see tenant_deposits).
caf::result<account_snapshot> load_account(persistence::store_reader& store, const account_id& id) {
  auto record = store.find_account(id);
  if (!record) {
    return make_settle_error(settle_errc::not_found, "no such account");
  }
  account_snapshot snapshot{std::move(*record), {}};
  if (snapshot.record.tenant == system_tenant) {
    snapshot.net_deposits = store.net_deposits_through(id);
  }
  return snapshot;
}

storage_reader_actor::behavior_type
storage_reader(storage_reader_actor::pointer, std::shared_ptr<persistence::store_reader> store) {
  using persistence::list_page;
  return {
    [store](load_atom, user_tag_atom, const std::string& id) {
      return guarded<user_record>(
        *store, [&] { return found_or_not_found(store->find_user(user_id{id}), "user"); });
    },
    [store](load_atom, account_tag_atom, const std::string& id) {
      return guarded<account_snapshot>(*store,
                                       [&] { return load_account(*store, account_id{id}); });
    },
    [store](load_atom, transfer_tag_atom, const std::string& id) {
      return guarded<transfer_record>(*store, 
        [&] { return found_or_not_found(store->find_transfer(transfer_id{id}), "transfer"); });
    },
    [store](load_atom, order_tag_atom, const std::string& id) {
      return guarded<order_record>(*store,
        [&] { return found_or_not_found(store->find_order(order_id{id}), "order"); });
    },
    [store](load_atom, idempotency_tag_atom,
            const std::vector<persistence::idempotency_record>& wanted) {
      return guarded<std::vector<persistence::idempotency_record>>(
        *store, [&] { return store->find_idempotency_records(wanted); });
    },
    [store](count_atom, const std::string& user) {
      return guarded<std::int64_t>(*store,
                                   [&] { return store->count_open_accounts(user_id{user}); });
    },
    [store](list_atom, user_tag_atom, const list_query& query) {
      return guarded<list_page<user_record>>(*store, [&] { return store->list_users(query); });
    },
    [store](list_atom, account_tag_atom, const list_query& query) {
      return guarded<list_page<account_record>>(*store, [&] { return store->list_accounts(query); });
    },
    [store](list_atom, transfer_tag_atom, const list_query& query) {
      return guarded<list_page<transfer_record>>(*store, [&] { return store->list_transfers(query); });
    },
    [store](list_atom, entry_tag_atom, const list_query& query) {
      return guarded<list_page<entry_record>>(*store, [&] { return store->list_entries(query); });
    },
    [store](list_atom, order_tag_atom, const list_query& query) {
      return guarded<list_page<order_record>>(*store, [&] { return store->list_orders(query); });
    },
    [store](load_atom, webhook_tag_atom, const std::string& id) {
      return guarded<webhook_endpoint_record>(*store, [&] {
        return found_or_not_found(store->find_webhook_endpoint(webhook_endpoint_id{id}),
                                  "webhook endpoint");
      });
    },
    [store](load_atom, delivery_tag_atom, const std::string& id) {
      return guarded<webhook_delivery_record>(*store, [&] {
        return found_or_not_found(store->find_webhook_delivery(webhook_delivery_id{id}),
                                  "webhook delivery");
      });
    },
    [store](list_atom, webhook_tag_atom, const list_query& query) {
      return guarded<list_page<webhook_endpoint_record>>(
        *store, [&] { return store->list_webhook_endpoints(query); });
    },
    [store](list_atom, delivery_tag_atom, const list_query& query) {
      return guarded<list_page<webhook_delivery_record>>(
        *store, [&] { return store->list_webhook_deliveries(query); });
    },
    [store](count_atom, webhook_tag_atom, const tenant_name& tenant) {
      return guarded<std::int64_t>(*store,
                                   [&] { return store->count_webhook_endpoints(tenant); });
    },
    [store](list_atom, webhook_tag_atom) {
      return guarded<std::vector<std::string>>(*store, [&] {
        std::vector<std::string> ids;
        for (auto& id : store->enabled_webhook_endpoint_ids()) {
          ids.push_back(std::move(id.value));
        }
        return ids;
      });
    },
    [store](load_atom, event_tag_atom) {
      return guarded<std::int64_t>(*store, [&] { return store->largest_event_seq(); });
    },
    [store](list_atom, event_tag_atom, const persistence::event_query& query) {
      return guarded<persistence::event_page>(*store, [&] { return store->list_events(query); });
    },
    [store](audit_atom) {
      return guarded<persistence::audit_report>(*store, [&] { return store->audit(); });
    },
  };
}

} // namespace

storage_reader_actor spawn_storage_reader(caf::actor_system& system,
                                          const persistence::storage_url& url,
                                          std::chrono::milliseconds statement_timeout) {
  auto store = std::make_shared<persistence::store_reader>(url, statement_timeout);
  return system.spawn<caf::detached>(storage_reader, std::move(store));
}

// CAF's actor pool hands each message to the next worker as it is sent (no actor of its
// own in between), keeping its sender, so answers go straight back to the asker. Round
// robin: a slow read holds up only the reads that happen to land behind it on its worker.
storage_reader_actor spawn_storage_reader_pool(caf::actor_system& system,
                                               const persistence::storage_url& url,
                                               std::chrono::milliseconds statement_timeout,
                                               std::size_t readers) {
  auto spawn_worker = [&system, url, statement_timeout] {
    return caf::actor_cast<caf::actor>(spawn_storage_reader(system, url, statement_timeout));
  };
  auto pool = caf::actor_pool::make(system.dummy_execution_unit(), std::max<std::size_t>(readers, 1),
                                    spawn_worker, caf::actor_pool::round_robin());
  return caf::actor_cast<storage_reader_actor>(pool);
}

} // namespace settle
