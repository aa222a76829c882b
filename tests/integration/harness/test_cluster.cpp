// The cluster's folder holds the keys file and one log per node; the database is one
// fresh PostgreSQL database for all nodes.
#include "tests/integration/harness/test_cluster.hpp"

#include "tests/integration/harness/free_port.hpp"
#include "tests/integration/harness/server_logs.hpp"

#include <signal.h>

#include <filesystem>
#include <stdexcept>
#include <thread>

namespace settle::integration {

namespace {

constexpr auto poll_interval = std::chrono::milliseconds(250);
constexpr auto probe_timeout = std::chrono::milliseconds(2000);

std::string join(const std::vector<std::string>& parts, const std::string& separator) {
  std::string text;
  for (const auto& part : parts) {
    text += (text.empty() ? "" : separator) + part;
  }
  return text;
}

} // namespace

test_cluster::test_cluster(std::size_t node_count, bool tls)
    : directory_(make_temporary_directory()), tls_(tls) {
  try {
    if (storage_kind_from_environment() != "postgresql") {
      throw std::runtime_error(
          "the cluster tests need SETTLE_TEST_STORAGE=postgresql: every node must reach one shared "
          "database (CTest's integration_cluster sets it; run under scripts/with-postgres.sh)");
    }
    storage_ = make_test_storage(directory_);
    keys_file_ = write_keys_file(directory_);
    if (tls_) {
      authority_ = make_certificate_authority(directory_, "cluster-ca");
    }
    for (std::size_t index = 0; index < node_count; ++index) {
      nodes_.push_back({"node-" + std::to_string(index + 1), free_loopback_port(),
                        free_loopback_port(), nullptr});
    }
    for (std::size_t index = 0; index < node_count; ++index) {
      if (tls_) {
        make_signed_certificate(directory_, authority_, nodes_[index].id);
      }
      nodes_[index].process = std::make_unique<settled_process>(options_for(index));
    }
    wait_until_settled();
  } catch (const std::exception& error) {
    // The test has not failed yet, so the nodes' logs would not be printed: quote them.
    std::string message = error.what();
    for (const auto& node : nodes_) {
      const auto log_path = directory_ + "/" + node.id + ".log";
      message += "\n---- end of " + log_path + " ----\n" + tail_of_file(log_path, 40);
    }
    clients_.clear();
    nodes_.clear();
    storage_.reset();
    std::filesystem::remove_all(directory_);
    throw std::runtime_error(message);
  }
}

test_cluster::~test_cluster() {
  clients_.clear();
  // Killed, not stopped: a stopping node hands its shards to the others, which are about
  // to go too; nothing is left to check.
  nodes_.clear();
  storage_.reset();
  std::error_code ignored;
  std::filesystem::remove_all(directory_, ignored);
}

process_options test_cluster::options_for(std::size_t index) const {
  const auto& node = nodes_[index];
  certificate_files identity{directory_ + "/" + node.id + ".pem", directory_ + "/" + node.id + ".key"};
  return node_options(node, authority_, identity);
}

process_options test_cluster::node_options(const cluster_node& node, const certificate_files& authority,
                                           const certificate_files& identity) const {
  std::vector<std::string> seeds;
  for (const auto& other : nodes_) {
    if (other.id != node.id) {
      seeds.push_back(other.id + "@127.0.0.1:" + std::to_string(other.cluster_port));
    }
  }
  process_options options;
  options.binary = settled_binary();
  options.storage_url = storage_->url();
  options.keys_file = keys_file_;
  options.node_id = node.id;
  options.http_listen = "127.0.0.1:" + std::to_string(node.http_port);
  // Webhooks may go to the tests' receivers on loopback.
  options.extra_arguments = {"--cluster.listen=127.0.0.1:" + std::to_string(node.cluster_port),
                             "--cluster.seeds=" + join(seeds, ","), "--webhooks.allow-private"};
  options.log_path = directory_ + "/" + node.id + ".log";
  if (tls_) {
    options.extra_arguments.push_back("--cluster.tls-ca=" + authority.certificate);
    options.extra_arguments.push_back("--cluster.tls-cert=" + identity.certificate);
    options.extra_arguments.push_back("--cluster.tls-key=" + identity.key);
  }
  return options;
}

std::unique_ptr<settled_process> test_cluster::start_outsider(const std::string& id,
                                                              const certificate_files& authority,
                                                              const certificate_files& identity) {
  cluster_node outsider{id, free_loopback_port(), free_loopback_port(), nullptr};
  return std::make_unique<settled_process>(node_options(outsider, authority, identity));
}

std::vector<std::uint16_t> test_cluster::http_ports() const {
  std::vector<std::uint16_t> ports;
  for (const auto& node : nodes_) {
    ports.push_back(node.http_port);
  }
  return ports;
}

std::unique_ptr<api_client> test_cluster::new_client(std::size_t index, const std::string& key,
                                                     std::chrono::milliseconds timeout) const {
  return std::make_unique<api_client>(http_port(index), key, timeout);
}

api_client& test_cluster::client_for(std::size_t index, const std::string& key) {
  auto& client = clients_[{index, key}];
  if (!client) {
    client = new_client(index, key);
  }
  return *client;
}

std::vector<std::size_t> test_cluster::serving_nodes() {
  std::vector<std::size_t> serving;
  for (std::size_t index = 0; index < nodes_.size(); ++index) {
    if (nodes_[index].process->running() && !paused_.count(index)) {
      serving.push_back(index);
    }
  }
  return serving;
}

std::vector<std::string> test_cluster::serving_node_ids() {
  std::vector<std::string> ids;
  for (const auto index : serving_nodes()) {
    ids.push_back(node_id(index));
  }
  return ids;
}

exit_status test_cluster::kill(std::size_t index) {
  paused_.erase(index);
  return process(index).kill();
}

exit_status test_cluster::stop(std::size_t index, std::chrono::seconds grace) {
  if (paused_.count(index)) {
    resume(index);
  }
  return process(index).stop(grace);
}

void test_cluster::pause(std::size_t index) {
  process(index).send_signal(SIGSTOP);
  paused_.insert(index);
}

void test_cluster::resume(std::size_t index) {
  process(index).send_signal(SIGCONT);
  paused_.erase(index);
}

void test_cluster::restart(std::size_t index) {
  process(index).start();
}

std::vector<std::string> test_cluster::unsettled_because(std::size_t index,
                                                         const std::vector<std::string>& serving,
                                                         std::vector<cluster_view>& views) {
  const auto& id = node_id(index);
  try {
    api_client probe(http_port(index), admin_key, probe_timeout);
    const auto ready = probe.get("/readyz");
    if (ready.status != 200) {
      return {id + " answers /readyz with " + std::to_string(ready.status)};
    }
    views.push_back(get_cluster_view(probe));
  } catch (const std::exception& error) {
    return {id + ": " + error.what()};
  }
  auto problems = ownership_problems(views.back(), serving);
  if (problems.empty() && !shards_evenly_spread(views.back(), serving)) {
    problems.push_back("the shards are not spread evenly yet");
  }
  for (auto& problem : problems) {
    problem = "in the view of " + id + ": " + problem;
  }
  return problems;
}

std::vector<cluster_view> test_cluster::wait_until_settled(std::chrono::seconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  for (;;) {
    const auto serving = serving_node_ids();
    std::vector<cluster_view> views;
    std::vector<std::string> problems;
    for (const auto index : serving_nodes()) {
      const auto found = unsettled_because(index, serving, views);
      problems.insert(problems.end(), found.begin(), found.end());
    }
    if (problems.empty()) {
      return views;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      std::string described;
      for (const auto& view : views) {
        described += "\n  " + view.describe();
      }
      throw std::runtime_error("the cluster did not settle within " +
                               std::to_string(limit.count()) + " s:\n  " + join(problems, "\n  ") +
                               "\nlast views:" + described);
    }
    std::this_thread::sleep_for(poll_interval);
  }
}

} // namespace settle::integration
