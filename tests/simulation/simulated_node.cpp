#include "simulated_node.hpp"

#include "simulated_reader.hpp"

#include "actors/ledger_writer.hpp"
#include "actors/peer_directory.hpp"
#include "domain/clock.hpp"
#include "domain/currency.hpp"
#include "net/json_renderer.hpp"

#include <caf/all.hpp>
#include <caf/scheduler/test_coordinator.hpp>

#include <algorithm>
#include <chrono>

namespace settle::simulation {
namespace {

// now_milliseconds() takes a plain function: the one virtual clock of the process.
std::int64_t virtual_milliseconds = 0;

std::int64_t read_virtual_clock() noexcept {
  return virtual_milliseconds;
}

caf::actor_clock::time_point as_time_point(std::int64_t milliseconds) {
  return caf::actor_clock::time_point{std::chrono::milliseconds{milliseconds}};
}

std::int64_t as_milliseconds(caf::actor_clock::time_point time) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count();
}

// Small bounds, so that entities passivate and load again all the time.
config::node_options simulated_options() {
  config::node_options options;
  options.currencies = {"USD", "EUR"};
  options.actors.passivate_after_seconds = 1;
  options.actors.max_resident_entities = 3;
  options.storage.commit_window_microseconds = 0;
  options.storage.commit_max_rows = 40;
  return options;
}

std::int64_t largest_ordinal(const memory_database& database) {
  std::int64_t largest = 0;
  auto observe = [&largest](const auto& table) {
    for (const auto& [id, record] : table) {
      largest = std::max(largest, record.ordinal);
    }
  };
  observe(database.users);
  observe(database.accounts);
  observe(database.transfers);
  observe(database.orders);
  return largest;
}

std::vector<order_id> authorized_orders(const memory_database& database) {
  std::vector<order_id> ids;
  for (const auto& [id, order] : database.orders) {
    if (order.status == order_status::authorized) {
      ids.push_back(id);
    }
  }
  return ids;
}

// Bounds the messages a stopping node may still handle before it is declared stuck.
constexpr std::size_t stopping_message_bound = 200000;

} // namespace

virtual_clock::virtual_clock(std::int64_t start_milliseconds) {
  virtual_milliseconds = start_milliseconds;
  use_time_source(&read_virtual_clock);
}

virtual_clock::~virtual_clock() {
  use_time_source(nullptr);
}

std::int64_t virtual_clock::now() const {
  return virtual_milliseconds;
}

void virtual_clock::advance_to(std::int64_t milliseconds) {
  virtual_milliseconds = std::max(virtual_milliseconds, milliseconds);
}

const std::vector<std::string>& simulated_currencies() {
  static const std::vector<std::string> currencies = simulated_options().currencies;
  return currencies;
}

simulated_node::simulated_node(memory_database& database, seeded_random& random,
                               const node_faults& faults, store_fault_counts& counts,
                               virtual_clock& clock)
  : database_(database), random_(random), clock_(clock) {
  configuration_.set("scheduler.policy", caf::atom("testing"));
  configuration_.set("logger.file-verbosity", caf::atom("quiet"));
  configuration_.set("logger.console-verbosity", caf::atom("quiet"));
  register_message_types(configuration_);
  system_.emplace(configuration_);
  scheduler_ = &dynamic_cast<caf::scheduler::test_coordinator&>(system_->scheduler());
  scheduler_->clock().current_time = as_time_point(clock.now());
  auto options = simulated_options();
  std::vector<std::shared_ptr<persistence::commit_store>> lanes;
  for (int lane = 0; lane < 2; ++lane) {
    lanes_.push_back(std::make_shared<memory_store>(database, random, faults.store, counts));
    lanes.push_back(lanes_.back());
  }
  actors_.shards = std::make_shared<shard_map>(options.cluster.node_id,
                                               options.cluster.shard_count, false);
  actors_.reader =
    spawn_simulated_reader(*system_, database, random, faults.failing_reads_percent);
  actors_.queries = actors_.reader;
  writer_placement placement{largest_ordinal(database), database.last_event_seq, false, -1,
                             nullptr};
  actors_.writer = spawn_ledger_writer(*system_, std::move(lanes), options.storage, placement,
                                       event_hub_actor{}, writer_thread::scheduler);
  start_request_actors(*system_, options, std::make_shared<net::json_renderer>(),
                       std::make_shared<peer_directory>(), authorized_orders(database), actors_);
}

simulated_node::~simulated_node() {
  if (!stopped_) {
    drain();
  }
  system_->await_actors_before_shutdown(false);
  system_.reset();
}

void simulated_node::execute(api_request request) {
  caf::anon_send(actors_.gateway, execute_atom::value, std::move(request));
}

bool simulated_node::run_one(bool writer_stalled) {
  auto& jobs = scheduler_->jobs;
  auto* writer = dynamic_cast<caf::resumable*>(caf::actor_cast<caf::abstract_actor*>(actors_.writer));
  std::vector<std::size_t> runnable;
  for (std::size_t index = 0; index < jobs.size(); ++index) {
    if (!writer_stalled || jobs[index] != writer) {
      runnable.push_back(index);
    }
  }
  if (runnable.empty()) {
    return false;
  }
  auto chosen = jobs.begin() + static_cast<std::ptrdiff_t>(random_.pick(runnable));
  std::rotate(jobs.begin(), chosen, chosen + 1);
  return scheduler_->try_run_once();
}

bool simulated_node::fire_next_timer() {
  auto& clock = scheduler_->clock();
  if (!clock.trigger_timeout()) {
    return false;
  }
  clock_.advance_to(as_milliseconds(clock.current_time));
  return true;
}

bool simulated_node::crash() {
  for (auto& lane : lanes_) {
    lane->sever();
  }
  return drain();
}

// Stops every actor as a stopping node does, then lets them finish: messages first,
// then timers (the clock moves on), until nothing is left or the bound is reached.
bool simulated_node::drain() {
  stopped_ = true;
  stop_node(*system_, actors_);
  actors_ = node_actors{};
  for (std::size_t handled = 0; handled < stopping_message_bound; ++handled) {
    if (scheduler_->try_run_once()) {
      continue;
    }
    if (!fire_next_timer()) {
      return system_->registry().running() == 0;
    }
  }
  return false;
}

} // namespace settle::simulation
