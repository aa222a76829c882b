// Wiring of a node. The regions know how to load and spawn their entities through
// the traits below; everything else is handed its collaborators explicitly.
#include "actors/node.hpp"

#include "actors/response_renderer.hpp"

#include "actors/account.hpp"
#include "actors/event_hub.hpp"
#include "actors/idempotency_guard.hpp"
#include "actors/ledger_writer.hpp"
#include "actors/order.hpp"
#include "actors/shard_region.hpp"
#include "actors/storage_reader.hpp"
#include "actors/user.hpp"
#include "persistence/connection.hpp"
#include "persistence/migrations.hpp"
#include "persistence/store_reader.hpp"

#include <soci/soci.h>

namespace settle {
namespace {

struct account_region_traits {
  using handle = account_actor;
  using record = account_record;
  using tag = account_tag_atom;
  struct dependencies {
    ledger_writer_actor writer;
    std::shared_ptr<const response_renderer> renderer;
  };
  static inline const char* not_found_message = "no such account";
  static inline const std::string kind = "account";

  static bool may_exist(const std::string& id) { return looks_like_id(id, "acc_"); }

  static handle spawn(caf::actor_system& system, record account, const dependencies& with) {
    return spawn_account(system, std::move(account), with.writer, with.renderer);
  }
};

struct user_region_traits {
  using handle = user_actor;
  using record = user_record;
  using tag = user_tag_atom;
  struct dependencies {
    ledger_writer_actor writer;
    storage_reader_actor reader;
    std::shared_ptr<const response_renderer> renderer;
  };
  static inline const char* not_found_message = "no such user";
  static inline const std::string kind = "user";

  static bool may_exist(const std::string& id) { return looks_like_id(id, "usr_"); }

  static handle spawn(caf::actor_system& system, record user, const dependencies& with) {
    return spawn_user(system, std::move(user), with.writer, with.reader, with.renderer);
  }
};

struct order_region_traits {
  using handle = order_actor;
  using record = order_record;
  using tag = order_tag_atom;
  using dependencies = order_dependencies;
  static inline const char* not_found_message = "no such order";
  static inline const std::string kind = "order";

  static bool may_exist(const std::string& id) { return looks_like_id(id, "ord_"); }

  static handle spawn(caf::actor_system& system, record order, const dependencies& with) {
    return spawn_order(system, std::move(order), with);
  }
};

// What the node learns from the database before it starts its actors.
struct stored_state {
  std::int64_t largest_ordinal = 0;
  std::vector<std::string> authorized_orders;
};

stored_state prepare_database(const persistence::storage_url& url,
                              const config::node_options& options) {
  {
    auto session = persistence::open_session(url);
    persistence::migrate(*session, url.kind, options.currencies);
  }
  persistence::store_reader reader{url};
  return stored_state{reader.largest_ordinal(), reader.authorized_order_ids()};
}

} // namespace

node_actors start_node(caf::actor_system& system, const config::node_options& options,
                       std::shared_ptr<const response_renderer> renderer) {
  auto url = persistence::parse_storage_url(options.storage.url);
  if (!url) {
    throw persistence::storage_error{"unsupported --storage.url: " + options.storage.url};
  }
  auto stored = prepare_database(*url, options);
  node_actors actors;
  actors.reader = spawn_storage_reader(system, *url);
  actors.events = spawn_event_hub(system, actors.reader, renderer);
  actors.writer = spawn_ledger_writer(system, *url, options.storage, stored.largest_ordinal,
                                      renderer, actors.events);
  actors.accounts = spawn_shard_region<account_region_traits>(
    system, account_region_traits::dependencies{actors.writer, renderer}, actors.reader,
    options.actors);
  actors.users = spawn_shard_region<user_region_traits>(
    system, user_region_traits::dependencies{actors.writer, actors.reader, renderer},
    actors.reader, options.actors);
  actors.orders = spawn_shard_region<order_region_traits>(
    system, order_dependencies{actors.writer, actors.accounts, renderer}, actors.reader,
    options.actors);
  // Orders that hold money run from the start, so their expiry timers run again.
  for (const auto& id : stored.authorized_orders) {
    caf::anon_send(actors.orders, lookup_atom::value, id);
  }
  actors.idempotency = spawn_idempotency_guard(system, actors.reader);
  gateway_dependencies dependencies;
  dependencies.accounts = actors.accounts;
  dependencies.users = actors.users;
  dependencies.orders = actors.orders;
  dependencies.reader = actors.reader;
  dependencies.writer = actors.writer;
  dependencies.idempotency = actors.idempotency;
  dependencies.renderer = std::move(renderer);
  dependencies.node_id = options.cluster.node_id;
  dependencies.shard_count = options.cluster.shard_count;
  actors.gateway = spawn_gateway(system, std::move(dependencies));
  return actors;
}

void stop_node(caf::actor_system& system, const node_actors& actors) {
  (void) system;
  auto stop = [](const auto& actor) {
    caf::anon_send_exit(actor, caf::exit_reason::user_shutdown);
  };
  stop(actors.gateway);
  stop(actors.accounts);
  stop(actors.users);
  stop(actors.orders);
  stop(actors.idempotency);
  stop(actors.events);
  stop(actors.reader);
  stop(actors.writer);
}

} // namespace settle
