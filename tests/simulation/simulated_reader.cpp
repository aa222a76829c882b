#include "simulated_reader.hpp"

#include "actors/messages.hpp"

#include <caf/all.hpp>

namespace settle::simulation {
namespace {

struct reader_context {
  const memory_database* database;
  seeded_random* random;
  std::uint64_t failing_percent;

  bool fails() const { return random->percent(failing_percent); }
};

caf::error unreachable() {
  return make_settle_error(settle_errc::unavailable, "simulated: the database cannot be reached");
}

// The row `id` of `table`, as `make` turns it into what the actor starts from.
template <class Loaded, class Record, class Tag, class Make>
caf::result<Loaded> load_as(const reader_context& context,
                            const std::map<strong_id<Tag>, Record>& table, const std::string& id,
                            const char* what, Make make) {
  if (context.fails()) {
    return unreachable();
  }
  auto found = table.find(strong_id<Tag>{id});
  if (found == table.end()) {
    return make_settle_error(settle_errc::not_found, std::string{"no such "} + what);
  }
  return make(found->second);
}

template <class Record, class Tag>
caf::result<Record> load(const reader_context& context,
                         const std::map<strong_id<Tag>, Record>& table, const std::string& id,
                         const char* what) {
  return load_as<Record>(context, table, id, what, [](const Record& row) { return row; });
}

storage_reader_actor::behavior_type simulated_reader(storage_reader_actor::pointer,
                                                     reader_context context) {
  using persistence::list_page;
  using persistence::list_query;
  return {
    [context](load_atom, user_tag_atom, const std::string& id) {
      return load(context, context.database->users, id, "user");
    },
    [context](load_atom, account_tag_atom, const std::string& id) {
      return load_as<account_snapshot>(
        context, context.database->accounts, id, "account", [&](const account_record& row) {
          account_snapshot snapshot{row, {}};
          if (row.tenant == system_tenant) {
            snapshot.net_deposits = context.database->net_deposits_through(account_id{id});
          }
          return snapshot;
        });
    },
    [context](load_atom, transfer_tag_atom, const std::string& id) {
      return load(context, context.database->transfers, id, "transfer");
    },
    [context](load_atom, order_tag_atom, const std::string& id) {
      return load(context, context.database->orders, id, "order");
    },
    [context](load_atom, idempotency_tag_atom,
              const std::vector<persistence::idempotency_record>& wanted)
      -> caf::result<std::vector<persistence::idempotency_record>> {
      if (context.fails()) {
        return unreachable();
      }
      std::vector<persistence::idempotency_record> stored;
      for (const auto& record : wanted) {
        auto found = context.database->idempotency.find({record.tenant, record.key});
        if (found != context.database->idempotency.end()) {
          stored.push_back(found->second);
        }
      }
      return stored;
    },
    [context](count_atom, const std::string& user_id) -> caf::result<std::int64_t> {
      if (context.fails()) {
        return unreachable();
      }
      std::int64_t open = 0;
      for (const auto& [id, account] : context.database->accounts) {
        open += account.user_id.value == user_id && account.status == account_status::open;
      }
      return open;
    },
    [](list_atom, user_tag_atom, const list_query&) -> caf::result<list_page<user_record>> {
      return unreachable();
    },
    [](list_atom, account_tag_atom,
       const list_query&) -> caf::result<list_page<account_record>> {
      return unreachable();
    },
    [](list_atom, transfer_tag_atom,
       const list_query&) -> caf::result<list_page<transfer_record>> {
      return unreachable();
    },
    [](list_atom, entry_tag_atom, const list_query&) -> caf::result<list_page<entry_record>> {
      return unreachable();
    },
    [](list_atom, order_tag_atom, const list_query&) -> caf::result<list_page<order_record>> {
      return unreachable();
    },
    [](list_atom, event_tag_atom,
       const persistence::event_query&) -> caf::result<persistence::event_page> {
      return unreachable();
    },
    [](audit_atom) -> caf::result<persistence::audit_report> { return unreachable(); },
    // The simulated node sends no webhooks.
    [](load_atom, webhook_tag_atom, const std::string&) -> caf::result<webhook_endpoint_record> {
      return unreachable();
    },
    [](load_atom, delivery_tag_atom,
       const std::string&) -> caf::result<webhook_delivery_record> { return unreachable(); },
    [](list_atom, webhook_tag_atom,
       const list_query&) -> caf::result<list_page<webhook_endpoint_record>> {
      return unreachable();
    },
    [](list_atom, delivery_tag_atom,
       const list_query&) -> caf::result<list_page<webhook_delivery_record>> {
      return unreachable();
    },
    [](count_atom, webhook_tag_atom, const tenant_name&) -> caf::result<std::int64_t> {
      return unreachable();
    },
    [](list_atom, webhook_tag_atom) -> caf::result<std::vector<std::string>> {
      return unreachable();
    },
    [](load_atom, event_tag_atom) -> caf::result<std::int64_t> { return unreachable(); },
  };
}

} // namespace

storage_reader_actor spawn_simulated_reader(caf::actor_system& system,
                                            const memory_database& database,
                                            seeded_random& random,
                                            std::uint64_t failing_percent) {
  return system.spawn(simulated_reader, reader_context{&database, &random, failing_percent});
}

} // namespace settle::simulation
