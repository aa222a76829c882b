// Binds every option to CAF's option groups. The scheduler is sized explicitly:
// `sharing` policy with one thread by default, leaving the other core to Asio.
#include "config/node_config.hpp"

#include "domain/currency.hpp"
#include "domain/host_port.hpp"
#include "domain/validation.hpp"

#include <caf/config_option_adder.hpp>

#include <cctype>
#include <fstream>
#include <optional>
#include <sstream>

namespace settle::config {
namespace {

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> items;
  std::stringstream stream{text};
  std::string item;
  while (std::getline(stream, item, ',')) {
    if (!item.empty()) {
      items.push_back(item);
    }
  }
  return items;
}


bool readable(const std::string& path) {
  std::ifstream file{path};
  return static_cast<bool>(file);
}

// "90s", "30m", "24h", "7d" in seconds; nothing when malformed.
std::optional<std::int64_t> parse_duration(const std::string& text) {
  std::size_t digits = 0;
  while (digits < text.size() && digits < 12 && std::isdigit(static_cast<unsigned char>(text[digits]))) {
    ++digits;
  }
  if (digits == 0 || digits + 1 != text.size()) {
    return std::nullopt;
  }
  std::int64_t count = std::stoll(text.substr(0, digits));
  switch (text.back()) {
    case 's':
      return count;
    case 'm':
      return count * 60;
    case 'h':
      return count * 3600;
    case 'd':
      return count * 86400;
    default:
      return std::nullopt;
  }
}

} // namespace

node_config::node_config() : caf_option_count_{custom_options_.size()} {
  opt_group{custom_options_, "global"}
    .add(check_only, "check-config",
         "check the options and the files they name (keys, TLS), print the verdict, exit");
  auto& http = options.http;
  opt_group{custom_options_, "http"}
    .add(http.listen, "listen", "HTTP/WebSocket ingress address HOST:PORT")
    .add(http.tls_certificate, "tls-cert", "TLS certificate file (PEM)")
    .add(http.tls_key, "tls-key", "TLS private key file (PEM)")
    .add(http.body_limit, "body-limit", "largest request body in bytes")
    .add(http.batch_body_limit, "batch-body-limit", "largest batch request body in bytes")
    .add(http.max_connections, "max-connections", "open connections at most")
    .add(http.max_connections_per_address, "max-connections-per-address",
         "open connections from one client address at most")
    .add(http.max_work_in_flight, "max-work-in-flight",
         "transfers (a batch: its items) being processed at most; beyond: 503")
    .add(http.max_work_per_key, "max-work-per-key",
         "transfers being processed for one API key at most; beyond: 429")
    .add(http.header_timeout_seconds, "header-timeout", "seconds to receive a request's header")
    .add(http.idle_timeout_seconds, "idle-timeout", "seconds a keep-alive connection may idle")
    .add(http.request_timeout_seconds, "request-timeout", "seconds to wait for an answer")
    .add(http.threads, "threads", "Asio threads")
    .add(cors_text_, "cors-origins", "allowed CORS origins, comma separated, or *")
    .add(http.web_root, "web-root",
         "folder of the dashboard's files (none: ./web, else the source tree's)");
  auto& storage = options.storage;
  opt_group{custom_options_, "storage"}
    .add(storage.url, "url", "sqlite:PATH or postgresql://user:pass@host:port/db")
    .add(storage.commit_window_microseconds, "commit-window", "microseconds a commit gathers")
    .add(storage.commit_max_rows, "commit-max-rows", "rows in one group commit at most")
    .add(storage.commit_lanes, "commit-lanes",
         "connections commits are pipelined over on PostgreSQL, 1 or 2 (SQLite: 1)")
    .add(storage.query_readers, "query-readers",
         "connections for clients' reads (lists, events, audit), besides the payment path's");
  auto& cluster = options.cluster;
  opt_group{custom_options_, "cluster"}
    .add(cluster.node_id, "node-id", "this node's name")
    .add(cluster.listen, "listen", "HOST:PORT for node-to-node traffic")
    .add(cluster.seeds, "seeds", "ID@HOST:PORT,... of the other nodes")
    .add(cluster.tls_ca, "tls-ca", "CA certificate (PEM) that signs every node's certificate")
    .add(cluster.tls_certificate, "tls-cert", "this node's certificate (PEM)")
    .add(cluster.tls_key, "tls-key", "this node's private key (PEM)");
  opt_group{custom_options_, "auth"}
    .add(options.keys_file, "keys-file", "file of KEY TENANT ROLE lines")
    .add(options.http.rate_limit, "rate-limit",
         "requests per second per API key, in bursts of as many (0: no limit)");
  auto& idempotency = options.idempotency;
  opt_group{custom_options_, "idempotency"}
    .add(retention_text_, "retention", "how long answers are replayed, e.g. 24h, 7d (24h at least)")
    .add(idempotency.sweep_interval_seconds, "sweep-interval",
         "seconds between looks for expired answers")
    .add(idempotency.cache_bytes, "cache-bytes", "bytes of answers cached in memory at most");
  opt_group{custom_options_, "webhooks"}
    .add(options.webhooks.allow_private, "allow-private",
         "allow webhook URLs on loopback, private and link-local addresses")
    .add(options.webhooks.max_in_flight, "max-in-flight",
         "webhook requests in flight at most, over every endpoint");
  auto& actors = options.actors;
  opt_group{custom_options_, "settle"}
    .add(currencies_text_, "currencies", "accepted ISO 4217 codes, comma separated")
    .add(actors.scheduler_threads, "scheduler-threads", "threads of the actor scheduler")
    .add(actors.passivate_after_seconds, "passivate-after", "seconds before an idle actor stops")
    .add(actors.max_resident_entities, "max-resident", "resident entity actors per region");
}

std::vector<const caf::config_option*> node_config::documented_options() const {
  std::vector<const caf::config_option*> documented;
  std::size_t index = 0;
  for (const auto& option : custom_options_) {
    if (index++ >= caf_option_count_ || option.category() == "global") {
      documented.push_back(&option);
    }
  }
  return documented;
}

// Node-to-node traffic is authenticated and encrypted with the three --cluster.tls-*
// options (CAF's OpenSSL module: both sides present a certificate of the CA, others
// never complete the handshake); without them only a loopback --cluster.listen is served.
// The files are read again for every connection, so they are checked here, at start.
std::string node_config::check_cluster_tls() {
  const auto& cluster = options.cluster;
  int given = !cluster.tls_ca.empty() + !cluster.tls_certificate.empty() + !cluster.tls_key.empty();
  if (given != 0 && given != 3) {
    return "cluster.tls-ca, cluster.tls-cert and cluster.tls-key go together: all three or none";
  }
  auto listen = parse_host_port(cluster.listen);
  if (!cluster.listen.empty() && !listen) {
    return "cluster.listen must be HOST:PORT, got " + cluster.listen;
  }
  if (given == 0) {
    if (listen && !is_loopback(*listen)) {
      return "a cluster.listen that is not a loopback address needs cluster.tls-ca, tls-cert"
             " and tls-key: node-to-node traffic must be authenticated";
    }
    return {};
  }
  for (const auto& file : {cluster.tls_ca, cluster.tls_certificate, cluster.tls_key}) {
    if (!readable(file)) {
      return "cannot read " + file;
    }
  }
  set("openssl.cafile", cluster.tls_ca);
  set("openssl.certificate", cluster.tls_certificate);
  set("openssl.key", cluster.tls_key);
  // Connections to nodes learned through another node would be plain TCP: never made.
  set("middleman.enable-automatic-connections", false);
  return {};
}

std::string node_config::finish() {
  options.currencies = split_list(currencies_text_);
  options.http.cors_origins = split_list(cors_text_);
  for (const auto& code : options.currencies) {
    if (!find_currency(code)) {
      return "settle.currencies names an unknown currency: " + code;
    }
  }
  if (options.currencies.empty()) {
    return "settle.currencies is empty";
  }
  if (options.actors.scheduler_threads < 1 || options.http.threads < 1) {
    return "settle.scheduler-threads and http.threads must be at least 1";
  }
  if (options.storage.commit_lanes < 1 || options.storage.commit_lanes > 2) {
    return "storage.commit-lanes must be 1 or 2";
  }
  if (auto problem = check_cluster_tls(); !problem.empty()) {
    return problem;
  }
  auto retention = parse_duration(retention_text_);
  if (!retention || *retention < 24 * 3600) {
    return "idempotency.retention must be a duration of at least 24h (e.g. 24h, 7d), got "
           + retention_text_;
  }
  options.idempotency.retention_seconds = *retention;
  if (options.idempotency.sweep_interval_seconds < 1) {
    return "idempotency.sweep-interval must be at least 1 second";
  }
  const auto& http = options.http;
  // A batch of the largest size must fit in either bound of work.
  if (http.max_work_in_flight < maximum_batch_items || http.max_work_per_key < maximum_batch_items) {
    return "http.max-work-in-flight and http.max-work-per-key must be at least 1000";
  }
  if (http.max_connections_per_address < 1 || !(http.rate_limit >= 0)) {
    return "http.max-connections-per-address must be at least 1 and auth.rate-limit at least 0";
  }
  set("scheduler.max-threads", options.actors.scheduler_threads);
  set("scheduler.policy", caf::atom("sharing"));
  return {};
}

} // namespace settle::config
