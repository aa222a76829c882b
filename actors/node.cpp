// Wiring of a node. The regions know how to load and spawn their entities through
// the traits below; everything else is handed its collaborators explicitly.
#include "actors/node.hpp"

#include "actors/response_renderer.hpp"

#include "actors/account.hpp"
#include "actors/cluster_manager.hpp"
#include "actors/event_hub.hpp"
#include "actors/event_log_reader.hpp"
#include "actors/holding_orders.hpp"
#include "actors/idempotency_guard.hpp"
#include "actors/idempotency_sweeper.hpp"
#include "actors/ledger_writer.hpp"
#include "actors/order.hpp"
#include "actors/shard_region.hpp"
#include "actors/storage_reader.hpp"
#include "domain/host_port.hpp"
#include "actors/user.hpp"
#include "actors/webhook_dispatcher.hpp"
#include "actors/webhook_endpoint.hpp"
#include "persistence/connection.hpp"
#include "persistence/lease_store.hpp"
#include "persistence/ledger_store.hpp"
#include "persistence/migrations.hpp"
#include "persistence/store_reader.hpp"

#include <caf/io/middleman.hpp>
#include <caf/openssl/publish.hpp>
#include <soci/soci.h>

#include <stdexcept>

namespace settle {
namespace {

struct account_region_traits {
  using handle = account_actor;
  using record = account_snapshot;
  using tag = account_tag_atom;
  struct dependencies {
    ledger_writer_actor writer;
    std::shared_ptr<const response_renderer> renderer;
  };
  static inline const char* not_found_message = "no such account";
  static inline const std::string kind = "account";

  static bool may_exist(const std::string& id) { return looks_like_id(id, "acc_"); }

  static handle spawn(caf::actor_system& system, record account, const dependencies& with,
                      persistence::shard_fence fence) {
    return spawn_account(system, std::move(account), with.writer, with.renderer, fence);
  }
  static caf::actor of(const peer_regions& peer) { return peer.accounts; }
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

  static handle spawn(caf::actor_system& system, record user, const dependencies& with,
                      persistence::shard_fence fence) {
    return spawn_user(system, std::move(user), with.writer, with.reader, with.renderer, fence);
  }
  static caf::actor of(const peer_regions& peer) { return peer.users; }
};

struct order_region_traits {
  using handle = order_actor;
  using record = order_record;
  using tag = order_tag_atom;
  using dependencies = order_dependencies;
  static inline const char* not_found_message = "no such order";
  static inline const std::string kind = "order";

  static bool may_exist(const std::string& id) { return looks_like_id(id, "ord_"); }

  static handle spawn(caf::actor_system& system, record order, const dependencies& with,
                      persistence::shard_fence fence) {
    return spawn_order(system, std::move(order), with, fence);
  }
  static caf::actor of(const peer_regions& peer) { return peer.orders; }
};

struct webhook_region_traits {
  using handle = webhook_endpoint_actor;
  using record = webhook_endpoint_record;
  using tag = webhook_tag_atom;
  using dependencies = webhook_endpoint_dependencies;
  static inline const char* not_found_message = "no such webhook endpoint";
  static inline const std::string kind = "webhook_endpoint";

  static bool may_exist(const std::string& id) { return looks_like_id(id, "whe_"); }

  static handle spawn(caf::actor_system& system, record endpoint, const dependencies& with,
                      persistence::shard_fence fence) {
    return spawn_webhook_endpoint(system, std::move(endpoint), with, fence);
  }
  static caf::actor of(const peer_regions& peer) { return peer.webhooks; }
};

// What the node learns from the database before it starts its actors.
struct stored_state {
  std::int64_t largest_ordinal = 0;
  std::int64_t largest_event_seq = 0;
  std::vector<order_id> authorized_orders;
};

stored_state prepare_database(const persistence::storage_url& url,
                              const config::node_options& options) {
  {
    auto session = persistence::open_session(url);
    persistence::migrate(*session, url.kind, options.currencies);
  }
  persistence::store_reader reader{url};
  return stored_state{reader.largest_ordinal(), reader.largest_event_seq(),
                      reader.authorized_order_ids()};
}

// How long a shard's lease lasts without renewal: a dead node's shards move after it.
constexpr std::int64_t lease_milliseconds = 5000;

// The published face of the cluster manager: it passes introductions on, and nothing
// else of the manager's interface (leave, ticks) can be reached from another node.
node_directory_actor::behavior_type node_directory(node_directory_actor::pointer self,
                                                   cluster_manager_actor manager) {
  return {
    [self, manager](regions_atom atom, const std::string& node_id, caf::actor& accounts,
                    caf::actor& users, caf::actor& orders, caf::actor& webhooks) {
      return self->delegate(manager, atom, node_id, std::move(accounts), std::move(users),
                            std::move(orders), std::move(webhooks));
    },
  };
}

// Starts the manager that keeps the node's leases and meets the other nodes, and offers
// its introductions at --cluster.listen.
void join_cluster(caf::actor_system& system, const config::node_options& options,
                  const persistence::storage_url& url, node_actors& actors,
                  std::shared_ptr<persistence::lease_store> leases,
                  std::shared_ptr<peer_directory> peers, std::int64_t largest_event_seq) {
  cluster_wiring wiring;
  if (!parse_seeds(options.cluster.seeds, wiring.seeds)) {
    throw std::invalid_argument{"--cluster.seeds must be ID@HOST:PORT,...: "
                                + options.cluster.seeds};
  }
  auto listen = parse_host_port(options.cluster.listen);
  if (!listen) {
    throw std::invalid_argument{"--cluster.listen must be HOST:PORT"};
  }
  const auto& [host, port] = *listen;
  actors.log_reader =
    spawn_event_log_reader(system, actors.queries, actors.events, largest_event_seq);
  wiring.node_id = options.cluster.node_id;
  wiring.address = options.cluster.listen;
  wiring.shards = actors.shards;
  wiring.peers = std::move(peers);
  wiring.accounts = actors.accounts;
  wiring.users = actors.users;
  wiring.orders = actors.orders;
  wiring.webhooks = actors.webhooks;
  wiring.storage = url;
  wiring.lease_milliseconds = lease_milliseconds;
  wiring.tls = options.cluster.tls();
  actors.cluster = spawn_cluster_manager(system, std::move(leases), std::move(wiring));
  actors.directory = system.spawn(node_directory, actors.cluster);
  // With --cluster.tls-* only the OpenSSL module listens: no plain port is ever opened.
  auto published = options.cluster.tls()
                     ? caf::openssl::publish(actors.directory, port, host.c_str(), true)
                     : system.middleman().publish(actors.directory, port, host.c_str(), true);
  if (!published) {
    caf::anon_send_exit(actors.directory, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(actors.cluster, caf::exit_reason::user_shutdown);
    throw std::invalid_argument{"cannot listen on --cluster.listen=" + options.cluster.listen
                                + ": " + system.render(published.error())};
  }
}

} // namespace

void start_request_actors(caf::actor_system& system, const config::node_options& options,
                          std::shared_ptr<const response_renderer> renderer,
                          std::shared_ptr<peer_directory> peers,
                          const std::vector<order_id>& authorized_orders,
                          node_actors& actors, std::shared_ptr<webhook_transport> webhooks) {
  region_context regions{actors.reader, options.actors, actors.shards, std::move(peers)};
  actors.accounts = spawn_shard_region<account_region_traits>(
    system, account_region_traits::dependencies{actors.writer, renderer}, regions);
  actors.users = spawn_shard_region<user_region_traits>(
    system, user_region_traits::dependencies{actors.writer, actors.reader, renderer}, regions);
  actors.orders = spawn_shard_region<order_region_traits>(
    system, order_dependencies{actors.writer, actors.accounts, renderer}, regions);
  // Orders that hold money run from the start, so their expiry timers run again.
  start_holding_orders(system, actors.orders, authorized_orders);
  if (webhooks) {
    actors.webhook_addresses = spawn_webhook_address_checker(system, webhooks);
    actors.webhooks = spawn_shard_region<webhook_region_traits>(
      system,
      webhook_endpoint_dependencies{actors.writer, actors.queries, renderer, webhooks,
                                    actors.webhook_addresses},
      regions);
    actors.webhook_dispatcher = spawn_webhook_dispatcher(system, actors.webhooks, actors.queries,
                                                         actors.shards, actors.events);
  }
  actors.idempotency = spawn_idempotency_guard(system, actors.reader, options.idempotency);
  gateway_dependencies dependencies;
  dependencies.accounts = actors.accounts;
  dependencies.users = actors.users;
  dependencies.orders = actors.orders;
  dependencies.webhooks = actors.webhooks;
  dependencies.webhook_addresses = actors.webhook_addresses;
  dependencies.reader = actors.queries;
  dependencies.writer = actors.writer;
  dependencies.idempotency = actors.idempotency;
  dependencies.renderer = std::move(renderer);
  dependencies.shards = actors.shards;
  actors.gateway = spawn_gateway(system, std::move(dependencies));
}

node_actors start_node(caf::actor_system& system, const config::node_options& options,
                       std::shared_ptr<const response_renderer> renderer,
                       std::shared_ptr<webhook_transport> webhooks) {
  auto url = persistence::parse_storage_url(options.storage.url);
  if (!url) {
    throw persistence::storage_error{"unsupported --storage.url: " + options.storage.url};
  }
  bool clustered = !options.cluster.listen.empty();
  if (clustered && url->kind != persistence::dialect::postgresql) {
    throw persistence::storage_error{"a cluster (--cluster.listen) needs PostgreSQL storage"};
  }
  auto stored = prepare_database(*url, options);
  // First, before any actor runs: the writer's connections take the writers' locks, so
  // a database that another settled writes to stops this start with nothing to wind down.
  // With two lanes (PostgreSQL, --storage.commit-lanes=2) one group commits while the
  // next one's statements run (see ledger_writer); SQLite writes one transaction at a
  // time anyway.
  std::vector<std::shared_ptr<persistence::commit_store>> lanes;
  auto lane_count = url->kind == persistence::dialect::postgresql
                      ? static_cast<std::int32_t>(options.storage.commit_lanes)
                      : 1;
  for (std::int32_t lane = 0; lane < lane_count; ++lane) {
    lanes.push_back(
      std::make_shared<persistence::ledger_store>(*url, renderer, clustered, lane, lane_count));
  }
  node_actors actors;
  actors.shards = std::make_shared<shard_map>(options.cluster.node_id,
                                              options.cluster.shard_count, clustered);
  auto peers = std::make_shared<peer_directory>();
  writer_placement placement{stored.largest_ordinal, stored.largest_event_seq, clustered, -1,
                             actors.stopping};
  std::shared_ptr<persistence::lease_store> leases;
  if (clustered) {
    leases = std::make_shared<persistence::lease_store>(*url, options.cluster.shard_count,
                                                         lease_milliseconds);
    placement.ordinal_slot = leases->join(options.cluster.node_id, options.cluster.listen);
  }
  // Payments never wait behind a client's list or the audit: those have readers of their own.
  std::chrono::seconds read_timeout{options.http.request_timeout_seconds};
  actors.reader = spawn_storage_reader(system, *url, read_timeout);
  actors.queries =
    spawn_storage_reader_pool(system, *url, read_timeout, options.storage.query_readers);
  actors.events = spawn_event_hub(system, actors.queries, renderer);
  actors.writer = spawn_ledger_writer(system, std::move(lanes), options.storage, placement,
                                      clustered ? event_hub_actor{} : actors.events,
                                      writer_thread::own);
  start_request_actors(system, options, std::move(renderer), peers,
                       clustered ? std::vector<order_id>{} : stored.authorized_orders,
                       actors, std::move(webhooks));
  actors.idempotency_sweeper = spawn_idempotency_sweeper(
    system, *url, std::chrono::seconds{options.idempotency.retention_seconds},
    std::chrono::seconds{options.idempotency.sweep_interval_seconds});
  if (clustered) {
    join_cluster(system, options, *url, actors, std::move(leases), std::move(peers),
                 stored.largest_event_seq);
  }
  return actors;
}

void stop_node(caf::actor_system& system, const node_actors& actors) {
  actors.stopping->store(true);
  auto stop = [](const auto& actor) {
    if (actor) {
      caf::anon_send_exit(actor, caf::exit_reason::user_shutdown);
    }
  };
  if (actors.cluster) {
    // Hand the shards over first: the others take them on their next tick.
    caf::scoped_actor self{system};
    self->request(actors.cluster, std::chrono::seconds{10}, leave_atom::value)
      .receive([](bool) {}, [](caf::error&) {});
  }
  stop(actors.cluster);
  stop(actors.directory);
  stop(actors.log_reader);
  stop(actors.gateway);
  stop(actors.accounts);
  stop(actors.users);
  stop(actors.orders);
  stop(actors.webhook_dispatcher);
  stop(actors.webhooks);
  stop(actors.webhook_addresses);
  stop(actors.idempotency);
  stop(actors.idempotency_sweeper);
  stop(actors.events);
  stop(actors.reader);
  stop(actors.queries);
  stop(actors.writer);
}

} // namespace settle
