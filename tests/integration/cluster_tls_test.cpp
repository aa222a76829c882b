// Node-to-node TLS (the contract's Trust boundary): three nodes whose certificates one CA
// signed form a cluster and move money across nodes; a peer with a certificate of another
// CA, or with none, never completes a connection to a node's cluster port and reaches no
// actor, while a peer of the cluster's CA does (the probe's positive control); and the
// strangers' failed handshakes leave the nodes' own links up (money still moves after).
#include "tests/integration/harness/certificates.hpp"
#include "tests/integration/harness/child_process.hpp"
#include "tests/integration/harness/server_logs.hpp"
#include "tests/integration/harness/test_cluster.hpp"
#include "tests/integration/harness/testing.hpp"

#include <thread>

#include <fcntl.h>
#include <unistd.h>

using namespace settle::integration;

namespace {

// Runs the probe against a node's cluster port: exit 0 when it reached an actor.
exit_status probe(std::uint16_t port, const std::vector<std::string>& tls_files, const std::string& log_path) {
  std::vector<std::string> arguments{SETTLE_CLUSTER_PROBE, "127.0.0.1", std::to_string(port)};
  arguments.insert(arguments.end(), tls_files.begin(), tls_files.end());
  const int log = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  const int nothing = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  const auto pid = spawn_process(arguments, nothing, log, log);
  ::close(log);
  ::close(nothing);
  return wait_for_child(pid, std::chrono::seconds(30));
}

// A payment whose accounts live wherever their shards are: across the nodes' links.
void pay_across_nodes(test_cluster& cluster) {
  const auto payer = funded_account(cluster.acme(0), 1000);
  const auto payee = new_account(cluster.acme(1));
  REQUIRE_STATUS(post_transfer(cluster.acme(2), payer, payee, 250), 201);
  CHECK(balance_of(cluster.acme(1), payer) == 750);
  CHECK(balance_of(cluster.acme(0), payee) == 250);
}

}  // namespace

TEST_CASE("nodes of one CA form a TLS cluster; a peer of another CA or without TLS reaches no actor",
          "[.][cluster][tls]") {
  test_cluster cluster(3, true);
  pay_across_nodes(cluster);

  const auto& directory = cluster.directory();
  const auto log_path = directory + "/probe.log";
  const auto peer = make_signed_certificate(directory, cluster.cluster_ca(), "friendly-peer");
  const auto other_ca = make_certificate_authority(directory, "other-ca");
  const auto stranger = make_signed_certificate(directory, other_ca, "stranger");
  for (std::size_t node = 0; node < cluster.size(); ++node) {
    INFO("node " << node << "\n" << tail_of_file(log_path, 20));
    const auto port = cluster.cluster_port(node);
    const auto friendly = probe(port, {cluster.cluster_ca().certificate, peer.certificate, peer.key}, log_path);
    CHECK(friendly.exited);
    CHECK(friendly.code == 0);
    // Another CA's certificate, trusting the cluster's CA or only its own: no actor.
    for (const auto& trusted : {cluster.cluster_ca().certificate, other_ca.certificate}) {
      const auto refused = probe(port, {trusted, stranger.certificate, stranger.key}, log_path);
      CHECK(refused.exited);
      CHECK(refused.code == 1);
    }
    // Plain CAF without TLS: no actor.
    const auto plain = probe(port, {}, log_path);
    CHECK(plain.exited);
    CHECK(plain.code == 1);
  }
  // The strangers broke no link between the nodes.
  pay_across_nodes(cluster);
  CHECK(audit(cluster.admin(0)).at("ok") == true);
}

TEST_CASE("a fourth node of another CA, even on the cluster's database, never joins and gets no shard",
          "[.][cluster][tls]") {
  test_cluster cluster(3, true);
  const auto other_ca = make_certificate_authority(cluster.directory(), "other-ca");
  const auto identity = make_signed_certificate(cluster.directory(), other_ca, "node-4");
  auto outsider = cluster.start_outsider("node-4", other_ca, identity);
  api_client outsider_admin(outsider->port(), admin_key);
  // Long enough for several ticks and lease renewals of every node.
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(8);
  while (std::chrono::steady_clock::now() < until) {
    for (std::size_t node = 0; node < cluster.size(); ++node) {
      const auto view = get_cluster_view(cluster.admin(node));
      INFO(view.describe());
      const auto* fourth = view.member("node-4");
      CHECK((fourth == nullptr || (fourth->state != "up" && fourth->shards.empty())));
      CHECK(ownership_problems(view, cluster.serving_node_ids()) == std::vector<std::string>{});
    }
    const auto own_view = get_cluster_view(outsider_admin);
    const auto* self = own_view.member("node-4");
    CHECK((self == nullptr || self->shards.empty()));
    CHECK(outsider_admin.get("/readyz").status == 503);
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  pay_across_nodes(cluster);
  CHECK(audit(cluster.admin(0)).at("ok") == true);
}
