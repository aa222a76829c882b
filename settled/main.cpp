// settled: one Settle node. Parses the options, migrates the database, starts the
// actors and the HTTP ingress, prints the ready line, and on SIGTERM or SIGINT drains
// the requests in flight and exits 0.
#include "actors/node.hpp"
#include "config/help_text.hpp"
#include "config/keys_file.hpp"
#include "config/node_config.hpp"
#include "domain/log.hpp"
#include "domain/host_port.hpp"
#include "net/api_commands.hpp"
#include "net/json_renderer.hpp"
#include "net/webhook_sender.hpp"
#include "net/server.hpp"
#include "persistence/connection.hpp"
#include "persistence/database_lock.hpp"
#include "persistence/migrations.hpp"

#include <caf/all.hpp>
#include <caf/io/middleman.hpp>
#include <caf/openssl/manager.hpp>

#include <algorithm>
#include <csignal>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

namespace {

using namespace settle;

// Signals are blocked in every thread and taken by sigwait in main, so no handler runs
// inside an actor or Asio thread.
sigset_t block_shutdown_signals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  return signals;
}

bool is_loopback(const std::string& listen) {
  auto address = parse_host_port(listen);
  return address && settle::is_loopback(*address);
}

// The dashboard's folder: --http.web-root, else ./web when run from the repository, else
// the source tree's.
std::string web_root(const config::http_options& http) {
  if (!http.web_root.empty()) {
    return http.web_root;
  }
  std::ifstream local{"web/index.html"};
  return local ? std::string{"web"} : std::string{SETTLE_SOURCE_DIR "/web"};
}

// The keys from --auth.keys-file, or one fresh admin key printed once.
config::key_table load_keys(const config::node_options& options) {
  if (!options.keys_file.empty()) {
    return config::load_keys_file(options.keys_file);
  }
  auto key = config::generate_key();
  std::cout << "settled: no --auth.keys-file given; admin key for this run: " << key << "\n";
  return config::key_table{{key, config::api_key{"default", config::key_role::admin}}};
}

// One database, one owner: held for the process's life. A single node owns its database
// alone; the nodes of a cluster share it (persistence/database_lock.hpp).
std::unique_ptr<persistence::database_lock> own_database(const config::node_options& options) {
  auto url = persistence::parse_storage_url(options.storage.url);
  if (!url) {
    throw persistence::storage_error{"unsupported --storage.url: " + options.storage.url};
  }
  bool clustered = !options.cluster.listen.empty();
  return persistence::lock_database(*url,
                                    clustered ? persistence::ownership::shared
                                              : persistence::ownership::exclusive,
                                    std::chrono::seconds{5});
}

// What makes the options unusable beyond what node_config checks, found by reading the
// files they name and nothing else (no database, no port): all that --check-config does,
// and the first thing a start does. Empty when usable.
std::string usage_problem(const config::node_options& options) {
  if (options.http.tls_certificate.empty() != options.http.tls_key.empty()) {
    return "--http.tls-cert and --http.tls-key go together";
  }
  if (!parse_host_port(options.http.listen)) {
    return "--http.listen must be HOST:PORT, got " + options.http.listen;
  }
  if (options.keys_file.empty() && !is_loopback(options.http.listen)) {
    return "without --auth.keys-file only a loopback address may be served";
  }
  if (!persistence::parse_storage_url(options.storage.url)) {
    return "unsupported --storage.url: " + options.storage.url;
  }
  // The dashboard's files are read once at start, and a missing one is served as a note:
  // a wrong folder would otherwise go unnoticed until someone opens the page.
  if (!options.http.web_root.empty() && !std::ifstream{options.http.web_root + "/index.html"}) {
    return "--http.web-root has no readable index.html: " + options.http.web_root;
  }
  try {
    if (!options.keys_file.empty()) {
      config::load_keys_file(options.keys_file);
    }
    if (!options.http.tls_certificate.empty()) {
      net::check_tls_files(options.http.tls_certificate, options.http.tls_key);
    }
  } catch (const std::exception& error) {
    return error.what();
  }
  return {};
}

int serve(config::node_config& configuration, const sigset_t& signals) {
  const auto options = configuration.options;
  if (auto problem = usage_problem(options); !problem.empty()) {
    log_line(log_level::error, problem);
    return 2;
  }
  std::unique_ptr<persistence::database_lock> owner;
  try {
    owner = own_database(options);
  } catch (const persistence::database_in_use& refusal) {
    log_line(log_level::error, refusal.what());
    return 2;
  }
  auto keys = load_keys(options);
  net::set_accepted_currencies(options.currencies);
  register_message_types(configuration);
  if (!options.cluster.listen.empty()) {
    configuration.load<caf::io::middleman>();
    if (options.cluster.tls()) {
      configuration.load<caf::openssl::manager>(); // after the middleman, which it extends
    }
  }
  // Made before the actor system, so it outlives it: its thread is joined here on the
  // main thread, after every actor that holds it has stopped, never on a scheduler thread.
  net::webhook_sender_options webhook_options;
  webhook_options.allow_private = options.webhooks.allow_private;
  webhook_options.max_in_flight = options.webhooks.max_in_flight;
  auto webhooks = std::make_shared<net::webhook_sender>(webhook_options);
  caf::actor_system system{configuration};
  auto actors = start_node(system, options, std::make_shared<net::json_renderer>(), webhooks);
  net::http_server server{actors.gateway, actors.events, options.http, std::move(keys),
                          web_root(options.http)};
  auto bound = server.start();
  auto scheme = options.http.tls_certificate.empty() ? "http://" : "https://";
  std::cout << "settled " << options.cluster.node_id << " listening on " << scheme << bound
            << std::endl;
  int received = 0;
  sigwait(&signals, &received);
  log_line(log_level::info, "draining", {{"signal", std::to_string(received)}});
  server.drain(std::chrono::seconds{10});
  stop_node(system, actors);
  system.await_all_actors_done();
  server.stop();
  return 0;
}

} // namespace

int main(int argc, char** argv) {
  // Before CAF parses: its own --help would print the global options alone.
  if (config::asks_for_help(std::vector<std::string>(argv + std::min(argc, 1), argv + argc))) {
    std::cout << config::help_text(config::node_config{});
    return 0;
  }
  auto signals = block_shutdown_signals();
  config::node_config configuration;
  if (auto error = configuration.parse(argc, argv)) {
    log_line(log_level::error, configuration.render(error));
    return 2;
  }
  if (configuration.cli_helptext_printed) {
    return 0;
  }
  auto problem = configuration.finish();
  if (problem.empty() && configuration.check_only) {
    problem = usage_problem(configuration.options);
  }
  if (!problem.empty()) {
    log_line(log_level::error, problem);
    return 2;
  }
  if (configuration.check_only) {
    std::cout << "settled: the configuration is valid\n";
    return 0;
  }
  try {
    return serve(configuration, signals);
  } catch (const persistence::database_in_use& refusal) { // taken while it started
    log_line(log_level::error, refusal.what());
    return 2;
  } catch (const persistence::schema_too_new& refusal) { // restarting would not help
    log_line(log_level::error, refusal.what());
    return 2;
  } catch (const std::exception& error) {
    log_line(log_level::error, error.what());
    return 1;
  }
}
