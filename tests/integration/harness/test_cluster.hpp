// Several `settled` nodes on one fresh PostgreSQL database, with the cluster options and
// fixed loopback ports, so that a test can kill, pause, stop and restart any node and find
// it again at the same address. Every node gets the suite's keys file.
#pragma once

#include "tests/integration/harness/api_client.hpp"
#include "tests/integration/harness/certificates.hpp"
#include "tests/integration/harness/cluster_view.hpp"
#include "tests/integration/harness/settled_process.hpp"
#include "tests/integration/harness/test_server.hpp"
#include "tests/integration/harness/test_storage.hpp"

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace settle::integration {

struct cluster_node {
  std::string id;
  std::uint16_t http_port = 0;
  std::uint16_t cluster_port = 0;
  std::unique_ptr<settled_process> process;
};

class test_cluster {
public:
  // Starts `node_count` nodes (node-1, node-2, ...) and waits until they are settled (see
  // wait_until_settled). Throws when SETTLE_TEST_STORAGE is not postgresql: a cluster
  // needs one database that every node reaches.
  // With `tls`, the nodes speak to each other over TLS with certificates of one CA made
  // for the test (`cluster_ca()`).
  explicit test_cluster(std::size_t node_count, bool tls = false);
  // Kills every node, drops the database and removes the folder.
  ~test_cluster();
  test_cluster(const test_cluster&) = delete;
  test_cluster& operator=(const test_cluster&) = delete;

  std::size_t size() const { return nodes_.size(); }
  const std::string& node_id(std::size_t index) const { return nodes_.at(index).id; }
  std::uint16_t http_port(std::size_t index) const { return nodes_.at(index).http_port; }
  std::vector<std::uint16_t> http_ports() const;
  settled_process& process(std::size_t index) { return *nodes_.at(index).process; }

  // Kept-alive clients of one node, owned by the cluster; they stay valid across restarts
  // (the port does not change). Bounded by `client_timeout`, so that a paused node fails a
  // request instead of hanging the test.
  api_client& admin(std::size_t index) { return client_for(index, admin_key); }
  api_client& acme(std::size_t index) { return client_for(index, acme_key); }
  // A client for another thread.
  std::unique_ptr<api_client> new_client(std::size_t index, const std::string& key,
                                         std::chrono::milliseconds timeout = client_timeout) const;

  // The nodes that run and are not paused, by index and by id.
  std::vector<std::size_t> serving_nodes();
  std::vector<std::string> serving_node_ids();

  exit_status kill(std::size_t index);
  // SIGTERM: the node hands its shards over and exits; waits up to `grace`.
  exit_status stop(std::size_t index, std::chrono::seconds grace = std::chrono::seconds(30));
  // SIGSTOP and SIGCONT: a node that is frozen, then wakes up believing nothing happened.
  void pause(std::size_t index);
  void resume(std::size_t index);
  // Starts a stopped or killed node again with the same options and ports.
  void restart(std::size_t index);

  // Waits until every serving node answers /readyz with 200 and each one's GET
  // /v1/cluster shows the serving nodes up, sharing all 64 shards once and evenly, and
  // no other node owning any; throws with the last views otherwise. Returns the views.
  std::vector<cluster_view>
  wait_until_settled(std::chrono::seconds limit = std::chrono::seconds(90));

  static constexpr std::chrono::milliseconds client_timeout{10'000};

  std::uint16_t cluster_port(std::size_t index) const { return nodes_.at(index).cluster_port; }
  const std::string& directory() const { return directory_; }
  // The CA of a TLS cluster (empty files without TLS).
  const certificate_files& cluster_ca() const { return authority_; }
  // Starts a node on the cluster's database and with its seeds that is not one of its
  // nodes: it trusts `authority` and presents `identity` (e.g. those of another CA).
  std::unique_ptr<settled_process> start_outsider(const std::string& id, const certificate_files& authority,
                                                  const certificate_files& identity);

private:
  api_client& client_for(std::size_t index, const std::string& key);
  process_options options_for(std::size_t index) const;
  process_options node_options(const cluster_node& node, const certificate_files& authority,
                               const certificate_files& identity) const;
  // Empty when the node answers ready and its view is settled; else why not.
  std::vector<std::string> unsettled_because(std::size_t index,
                                             const std::vector<std::string>& serving,
                                             std::vector<cluster_view>& views);

  std::string directory_;
  std::unique_ptr<test_storage> storage_;
  std::string keys_file_;
  bool tls_ = false;
  certificate_files authority_;
  std::vector<cluster_node> nodes_;
  std::set<std::size_t> paused_;
  std::map<std::pair<std::size_t, std::string>, std::unique_ptr<api_client>> clients_;
};

} // namespace settle::integration
