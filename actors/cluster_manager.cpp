#include "actors/cluster_manager.hpp"
#include "domain/log.hpp"

#include "actors/holding_orders.hpp"
#include "actors/peer_directory.hpp"
#include "domain/host_port.hpp"
#include "domain/ids.hpp"
#include "persistence/connection.hpp"
#include "persistence/store_reader.hpp"

#include <caf/all.hpp>
#include <caf/io/middleman.hpp>
#include <caf/openssl/remote_actor.hpp>

#include <algorithm>
#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>

namespace settle {
namespace {

using steady = std::chrono::steady_clock;

constexpr std::chrono::seconds tick_interval{1};
// This node stops trusting its leases this long before they expire in the database,
// counted from before the renewal was sent: the database's clock cannot be read here.
constexpr std::chrono::milliseconds trust_margin{1500};
// A leaving node stays up until the others have taken its shards and each has had a tick
// to learn the new owners: a request a peer sends to a node that has exited is never
// answered, and its sender waits out its timeout. Until then this node answers requests
// for the shards it gave up `unavailable`, which the sender retries elsewhere.
constexpr std::chrono::milliseconds peers_learn_within =
    tick_interval + std::chrono::milliseconds{500};
constexpr std::chrono::seconds handover_limit{5};
constexpr std::chrono::milliseconds handover_poll{100};

struct handover {
  std::vector<persistence::shard_fence> released;
  caf::typed_response_promise<bool> done;
  steady::time_point give_up_at;
  std::optional<steady::time_point> taken_over_at;
};

struct cluster_manager_state {
  std::shared_ptr<persistence::lease_store> leases;
  std::unique_ptr<persistence::store_reader> orders_reader;
  cluster_wiring wiring;
  std::map<std::uint32_t, std::int64_t> held; // shard → epoch of the lease this node holds
  std::unordered_map<std::string, caf::actor_addr> connected; // node → its directory
  std::set<std::string> unreachable; // went down over CAF and not reconnected since
  std::vector<persistence::member_row> members;
  bool leaving = false;
  std::optional<handover> handing_over;
  static inline const char* name = "cluster_manager";
};

using manager_pointer = cluster_manager_actor::stateful_pointer<cluster_manager_state>;

void log_problem(const std::string& what) {
  log_line(log_level::warning, what, {{"part", "cluster"}});
}

// A peer's address: HOST:PORT with a port that is not 0.
std::optional<host_port> peer_address(const std::string& address) {
  auto parsed = parse_host_port(address);
  if (!parsed || parsed->port == 0) {
    return std::nullopt;
  }
  return parsed;
}

// Records a peer's regions, watching `watched` (an actor of the peer): when it goes
// down, the peer is forgotten and marked unreachable (see the down handler).
void remember_peer(manager_pointer self, const std::string& node_id, const caf::actor& watched,
                   peer_regions regions) {
  auto& state = self->state;
  self->monitor(watched);
  state.connected[node_id] = watched.address();
  state.unreachable.erase(node_id);
  state.wiring.peers->set(node_id, std::move(regions));
}

// This node's regions, as they travel to a peer.
peer_regions own_regions(const cluster_wiring& wiring) {
  return {caf::actor_cast<caf::actor>(wiring.accounts), caf::actor_cast<caf::actor>(wiring.users),
          caf::actor_cast<caf::actor>(wiring.orders), caf::actor_cast<caf::actor>(wiring.webhooks)};
}

// A peer introduces itself. Only a live member of the cluster (the members table, which
// a node enters before it connects) with its regions is answered (the webhook endpoints'
// may be none); a node not yet seen in the table retries on its next tick.
caf::result<caf::actor, caf::actor, caf::actor, caf::actor>
introduce(manager_pointer self, const std::string& node_id, peer_regions regions) {
  auto& state = self->state;
  bool member = std::any_of(state.members.begin(), state.members.end(), [&](const auto& row) {
    return row.node_id == node_id && row.alive;
  });
  if (!member || node_id == state.wiring.node_id || !regions.accounts || !regions.users
      || !regions.orders) {
    return make_settle_error(settle_errc::unavailable, "not a member of this cluster");
  }
  auto watched = regions.accounts;
  remember_peer(self, node_id, watched, std::move(regions));
  auto mine = own_regions(state.wiring);
  return {std::move(mine.accounts), std::move(mine.users), std::move(mine.orders),
          std::move(mine.webhooks)};
}

// Opens a CAF connection to another node's directory, introduces this node and learns
// the peer's regions. Of two nodes only the one with the smaller id connects: two
// connections opened at once between the same two nodes (each dialling the other) left
// requests over TLS unanswered, and one serves both ways.
void connect(manager_pointer self, const std::string& node_id, const std::string& address) {
  auto& state = self->state;
  if (node_id <= state.wiring.node_id || state.connected.count(node_id) != 0) {
    return;
  }
  auto peer = peer_address(address);
  if (!peer) {
    return;
  }
  const auto& [host, port] = *peer;
  auto directory =
    state.wiring.tls
      ? caf::openssl::remote_actor<node_directory_actor>(self->system(), host, port)
      : self->system().middleman().remote_actor<node_directory_actor>(host, port);
  if (!directory) {
    return; // not up yet; tried again next tick
  }
  state.connected[node_id] = directory->address(); // no second connect meanwhile
  auto watched = caf::actor_cast<caf::actor>(*directory);
  auto mine = own_regions(state.wiring);
  self->request(*directory, std::chrono::seconds{5}, regions_atom::value, state.wiring.node_id,
                mine.accounts, mine.users, mine.orders, mine.webhooks)
    .then(
      [self, node_id, watched](caf::actor& accounts, caf::actor& users, caf::actor& orders,
                               caf::actor& webhooks) {
        remember_peer(self, node_id, watched, peer_regions{accounts, users, orders, webhooks});
      },
      [self, node_id](caf::error&) { self->state.connected.erase(node_id); });
}

void connect_peers(manager_pointer self) {
  auto& state = self->state;
  for (const auto& seed : state.wiring.seeds) {
    connect(self, seed.node_id, seed.address);
  }
  for (const auto& member : state.members) {
    if (member.alive) {
      connect(self, member.node_id, member.address);
    }
  }
}

// Whether this node and `node` have met over CAF (each knows the other's regions): a
// node that cannot present a certificate of the cluster's CA never meets any, so it is
// never given a shard, even if it reaches the database.
bool met(const cluster_manager_state& state, const std::string& node) {
  return node == state.wiring.node_id || state.wiring.peers->find(node).has_value();
}

// The owner each shard should have: round robin over the live members that are up and
// that this node has met.
std::vector<std::string> intended_owners(const cluster_manager_state& state) {
  std::vector<std::string> eligible;
  for (const auto& member : state.members) {
    if (member.alive && member.state == "up" && met(state, member.node_id)) {
      eligible.push_back(member.node_id);
    }
  }
  std::vector<std::string> owners(state.wiring.shards->shard_count());
  for (std::size_t shard = 0; shard < owners.size() && !eligible.empty(); ++shard) {
    owners[shard] = eligible[shard % eligible.size()];
  }
  return owners;
}

std::vector<persistence::shard_fence> held_leases(const cluster_manager_state& state) {
  std::vector<persistence::shard_fence> leases;
  for (const auto& [shard, epoch] : state.held) {
    leases.push_back({shard, epoch});
  }
  return leases;
}

void renew(manager_pointer self) {
  auto& state = self->state;
  auto renewed = state.leases->renew(state.wiring.node_id, held_leases(state));
  std::map<std::uint32_t, std::int64_t> still_held;
  for (auto shard : renewed) {
    still_held[shard] = state.held.at(shard);
  }
  for (const auto& [shard, epoch] : state.held) {
    if (still_held.count(shard) == 0) {
      log_problem("lost the lease of shard " + std::to_string(shard));
    }
  }
  state.held = std::move(still_held);
}

void publish(manager_pointer self, const std::vector<persistence::lease_row>& rows,
             steady::time_point trusted_until);
void retire_stale_actors(manager_pointer self);

// Gives up the leases meant for another node; the map says so before the database
// does, so nothing new starts on them here.
void release_unintended(manager_pointer self, const std::vector<std::string>& owners,
                        steady::time_point trusted_until) {
  auto& state = self->state;
  std::vector<persistence::shard_fence> releasing;
  for (const auto& [shard, epoch] : state.held) {
    if (owners[shard] != state.wiring.node_id) {
      releasing.push_back({shard, epoch});
    }
  }
  for (const auto& lease : releasing) {
    state.held.erase(lease.shard);
  }
  if (releasing.empty()) {
    return;
  }
  publish(self, state.leases->leases(), trusted_until);
  retire_stale_actors(self);
  for (const auto& lease : releasing) {
    state.leases->release(state.wiring.node_id, lease);
  }
}

std::vector<std::uint32_t> acquire_intended(manager_pointer self,
                                            const std::vector<std::string>& owners,
                                            const std::vector<persistence::lease_row>& rows) {
  auto& state = self->state;
  std::vector<std::uint32_t> taken;
  for (const auto& row : rows) {
    if (owners[row.shard] != state.wiring.node_id || state.held.count(row.shard) != 0 || row.live) {
      continue;
    }
    if (auto epoch = state.leases->acquire(row.shard, state.wiring.node_id)) {
      state.held[row.shard] = *epoch;
      taken.push_back(row.shard);
    }
  }
  return taken;
}

// The view every router of this node reads: owners from the leases, this node's own
// only where it holds them at that epoch. A live member whose regions this node has not
// learned yet (the two have not met over CAF) is shown `joining`: requests for its shards
// cannot be passed to it from here.
void publish(manager_pointer self, const std::vector<persistence::lease_row>& rows,
             steady::time_point trusted_until) {
  auto& state = self->state;
  const auto& me = state.wiring.node_id;
  std::vector<shard_map::owner> owners(state.wiring.shards->shard_count());
  std::map<std::string, cluster_member> members;
  for (const auto& member : state.members) {
    bool down = !member.alive || state.unreachable.count(member.node_id) != 0;
    auto status = down                       ? "down"
                  : member.state == "leaving" ? "leaving"
                  : met(state, member.node_id) ? "up"
                                               : "joining";
    members[member.node_id] = cluster_member{member.node_id, member.address, status, {}};
  }
  for (const auto& row : rows) {
    if (row.shard >= owners.size() || !row.live) {
      continue;
    }
    auto held = state.held.find(row.shard);
    if (row.owner == me && (held == state.held.end() || held->second != row.epoch)) {
      continue;
    }
    owners[row.shard] = {row.owner, row.epoch};
    auto member = members.find(row.owner);
    if (member != members.end()) {
      member->second.leases.push_back({row.shard, row.epoch});
    }
  }
  std::vector<cluster_member> view;
  for (auto& [id, member] : members) {
    if (member.state == "up" && member.leases.empty()) {
      member.state = "joining";
    }
    view.push_back(std::move(member));
  }
  state.wiring.shards->assign(std::move(owners), std::move(view), trusted_until);
}

void retire_stale_actors(manager_pointer self) {
  const auto& wiring = self->state.wiring;
  self->anon_send(wiring.accounts, rebalance_atom::value);
  self->anon_send(wiring.users, rebalance_atom::value);
  self->anon_send(wiring.orders, rebalance_atom::value);
  if (wiring.webhooks) {
    self->anon_send(wiring.webhooks, rebalance_atom::value);
  }
}

// Orders holding money on newly taken shards run at once, so their expiries fire.
void start_authorized_orders(manager_pointer self, const std::vector<std::uint32_t>& taken) {
  auto& state = self->state;
  if (taken.empty()) {
    return;
  }
  std::vector<bool> is_taken(state.wiring.shards->shard_count(), false);
  for (auto shard : taken) {
    is_taken[shard] = true;
  }
  std::vector<order_id> holding;
  for (auto& id : state.orders_reader->authorized_order_ids()) {
    if (is_taken[shard_of(id, state.wiring.shards->shard_count())]) {
      holding.push_back(std::move(id));
    }
  }
  start_holding_orders(self->system(), state.wiring.orders, std::move(holding));
}

void tick(manager_pointer self) {
  auto& state = self->state;
  if (state.leaving) {
    return;
  }
  auto started = steady::now();
  auto before = state.held;
  try {
    state.leases->heartbeat(state.wiring.node_id, "up");
    state.members = state.leases->members();
    connect_peers(self);
    renew(self);
    auto trusted_until =
        started + std::chrono::milliseconds{state.wiring.lease_milliseconds} - trust_margin;
    auto owners = intended_owners(state);
    release_unintended(self, owners, trusted_until);
    auto taken = acquire_intended(self, owners, state.leases->leases());
    publish(self, state.leases->leases(), trusted_until);
    if (state.held != before) {
      retire_stale_actors(self);
    }
    start_authorized_orders(self, taken);
  } catch (const persistence::storage_error& error) {
    // The leases are trusted only until their deadline, so they lapse here by themselves.
    log_problem(error.what());
    try {
      state.leases->reconnect();
      state.orders_reader->reconnect();
    } catch (const persistence::storage_error&) {
    }
  }
  self->delayed_send(self, tick_interval, tick_atom::value);
}

// Whether another live member runs, to take over what this node gives up.
bool others_up(const cluster_manager_state& state) {
  return std::any_of(state.members.begin(), state.members.end(), [&](const auto& member) {
    return member.alive && member.state == "up" && member.node_id != state.wiring.node_id;
  });
}

bool taken_over(manager_pointer self, const std::vector<persistence::shard_fence>& released) {
  auto& state = self->state;
  std::set<std::uint32_t> waiting;
  for (const auto& lease : released) {
    waiting.insert(lease.shard);
  }
  for (const auto& row : state.leases->leases()) {
    if (row.live && row.owner != state.wiring.node_id) {
      waiting.erase(row.shard);
    }
  }
  return waiting.empty();
}

void watch_handover(manager_pointer self) {
  auto& state = self->state;
  auto& handing_over = *state.handing_over;
  auto now = steady::now();
  bool nobody_left = false; // the others are leaving too: no one will take the shards
  try {
    if (!handing_over.taken_over_at && taken_over(self, handing_over.released)) {
      handing_over.taken_over_at = now;
    }
    state.members = state.leases->members();
    nobody_left = !others_up(state);
  } catch (const persistence::storage_error& error) {
    log_problem(std::string{"leaving: "} + error.what());
  }
  bool learned =
      handing_over.taken_over_at && now - *handing_over.taken_over_at >= peers_learn_within;
  if (learned || nobody_left || now >= handing_over.give_up_at) {
    handing_over.done.deliver(learned);
    self->state.handing_over.reset();
    return;
  }
  self->delayed_send(self, handover_poll, poll_atom::value);
}

caf::result<bool> leave(manager_pointer self) {
  auto& state = self->state;
  state.leaving = true;
  auto held = held_leases(state);
  state.held.clear();
  publish(self, {}, steady::now());
  retire_stale_actors(self);
  try {
    state.leases->leave(state.wiring.node_id);
    for (const auto& lease : held) {
      state.leases->release(state.wiring.node_id, lease);
    }
  } catch (const persistence::storage_error& error) {
    log_problem(std::string{"leaving: "} + error.what() + " (the leases will expire instead)");
    return false;
  }
  if (held.empty() || !others_up(state)) {
    return true;
  }
  state.handing_over = handover{std::move(held), self->make_response_promise<bool>(),
                                steady::now() + handover_limit, std::nullopt};
  self->send(self, poll_atom::value);
  return state.handing_over->done;
}

cluster_manager_actor::behavior_type
cluster_manager(manager_pointer self, std::shared_ptr<persistence::lease_store> leases,
                cluster_wiring wiring) {
  auto& state = self->state;
  state.leases = std::move(leases);
  state.orders_reader = std::make_unique<persistence::store_reader>(wiring.storage);
  state.wiring = std::move(wiring);
  self->set_down_handler([self](caf::down_msg& down) {
    auto& state = self->state;
    for (auto entry = state.connected.begin(); entry != state.connected.end(); ++entry) {
      if (entry->second == down.source) {
        state.wiring.peers->forget(entry->first);
        state.unreachable.insert(entry->first);
        state.connected.erase(entry);
        return;
      }
    }
  });
  self->send(self, tick_atom::value);
  return {
      [self](tick_atom) { tick(self); },
      [self](poll_atom) { watch_handover(self); },
      [self](leave_atom) { return leave(self); },
      [self](regions_atom, const std::string& node_id, caf::actor& accounts, caf::actor& users,
             caf::actor& orders, caf::actor& webhooks) {
        return introduce(self, node_id, peer_regions{accounts, users, orders, webhooks});
      },
  };
}

} // namespace

bool parse_seeds(const std::string& text, std::vector<cluster_seed>& seeds) {
  seeds.clear();
  std::size_t start = 0;
  while (start <= text.size()) {
    auto end = text.find(',', start);
    auto entry = text.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (!entry.empty()) {
      auto at = entry.find('@');
      if (at == std::string::npos || at == 0 || !peer_address(entry.substr(at + 1))) {
        seeds.clear();
        return false;
      }
      seeds.push_back({entry.substr(0, at), entry.substr(at + 1)});
    }
    if (end == std::string::npos) {
      break;
    }
    start = end + 1;
  }
  return true;
}

cluster_manager_actor spawn_cluster_manager(caf::actor_system& system,
                                            std::shared_ptr<persistence::lease_store> leases,
                                            cluster_wiring wiring) {
  return system.spawn<caf::detached>(cluster_manager, std::move(leases), std::move(wiring));
}

} // namespace settle
