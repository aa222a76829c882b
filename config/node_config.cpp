// Binds every option to CAF's option groups. The scheduler is sized explicitly:
// `sharing` policy with one thread by default, leaving the other core to Asio.
#include "config/node_config.hpp"

#include "domain/currency.hpp"

#include <caf/config_option_adder.hpp>

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

} // namespace

node_config::node_config() {
  auto& http = options.http;
  opt_group{custom_options_, "http"}
    .add(http.listen, "listen", "HTTP/WebSocket ingress address HOST:PORT")
    .add(http.tls_certificate, "tls-cert", "TLS certificate file (PEM)")
    .add(http.tls_key, "tls-key", "TLS private key file (PEM)")
    .add(http.body_limit, "body-limit", "largest request body in bytes")
    .add(http.batch_body_limit, "batch-body-limit", "largest batch request body in bytes")
    .add(http.max_connections, "max-connections", "open connections at most")
    .add(http.header_timeout_seconds, "header-timeout", "seconds to receive a request's header")
    .add(http.idle_timeout_seconds, "idle-timeout", "seconds a keep-alive connection may idle")
    .add(http.request_timeout_seconds, "request-timeout", "seconds to wait for an answer")
    .add(http.threads, "threads", "Asio threads")
    .add(cors_text_, "cors-origins", "allowed CORS origins, comma separated, or *");
  auto& storage = options.storage;
  opt_group{custom_options_, "storage"}
    .add(storage.url, "url", "sqlite:PATH or postgresql://user:pass@host:port/db")
    .add(storage.commit_window_microseconds, "commit-window", "microseconds a commit gathers")
    .add(storage.commit_max_rows, "commit-max-rows", "rows in one group commit at most")
    .add(storage.writer_queue_limit, "writer-queue-limit", "write sets waiting at most");
  auto& cluster = options.cluster;
  opt_group{custom_options_, "cluster"}
    .add(cluster.node_id, "node-id", "this node's name")
    .add(cluster.listen, "listen", "HOST:PORT for node-to-node traffic")
    .add(cluster.seeds, "seeds", "ID@HOST:PORT,... of the other nodes");
  opt_group{custom_options_, "auth"}.add(options.keys_file, "keys-file",
                                              "file of KEY TENANT ROLE lines");
  auto& actors = options.actors;
  opt_group{custom_options_, "settle"}
    .add(currencies_text_, "currencies", "accepted ISO 4217 codes, comma separated")
    .add(actors.scheduler_threads, "scheduler-threads", "threads of the actor scheduler")
    .add(actors.passivate_after_seconds, "passivate-after", "seconds before an idle actor stops")
    .add(actors.max_resident_entities, "max-resident", "resident entity actors per region");
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
  set("scheduler.max-threads", options.actors.scheduler_threads);
  set("scheduler.policy", caf::atom("sharing"));
  return {};
}

} // namespace settle::config
