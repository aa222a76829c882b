// Every option of a node, as plain values. config/node_config.cpp binds them to CAF's
// command line and INI parser (`--group.name=value`, `--config-file=FILE`).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace settle::config {

struct http_options {
  std::string listen = "127.0.0.1:8080";
  std::string tls_certificate;
  std::string tls_key;
  std::size_t body_limit = 64 * 1024;
  std::size_t batch_body_limit = 1024 * 1024;
  std::size_t max_connections = 10000;
  std::size_t max_connections_per_address = 1000; // from one client address at most
  // Work in flight, in units of one transfer (a batch weighs its items): beyond the
  // node's bound requests are answered 503, beyond a key's 429, before any is queued.
  std::size_t max_work_in_flight = 65536;
  std::size_t max_work_per_key = 32768;
  double rate_limit = 0; // requests per second per API key, in bursts of as many; 0: off
  std::int64_t header_timeout_seconds = 10;
  std::int64_t idle_timeout_seconds = 60;
  std::int64_t request_timeout_seconds = 30; // waiting for the actors' answer
  std::size_t threads = 1;
  std::vector<std::string> cors_origins;
  // The dashboard's files; empty: ./web when run from the repository, else the source
  // tree's (an installed node names its folder, e.g. the package's /usr/share/settle/web).
  std::string web_root;
};

struct storage_options {
  std::string url = "sqlite:settle.db";
  std::int64_t commit_window_microseconds = 1000; // how long a group commit gathers
  std::size_t commit_max_rows = 8000;              // a group's bound
  // Connections the ledger writer commits on (PostgreSQL): with two, one group's
  // statements run while the previous group commits. One by default: on a machine that
  // shares its cores with the database, two measured no faster (docs/BENCHMARKS.md).
  // SQLite always has one.
  std::size_t commit_lanes = 1;
  // Connections for clients' reads (GET, lists, events, the audit); the payment path's
  // reads (cold accounts, idempotency keys) have one of their own besides.
  std::size_t query_readers = 2;
};

struct cluster_options {
  std::string node_id = "node-1";
  std::string listen;
  std::string seeds;
  // Node-to-node TLS, both sides presenting a certificate of the CA: all three or none.
  std::string tls_ca;
  std::string tls_certificate;
  std::string tls_key;
  bool tls() const { return !tls_ca.empty(); }
  std::uint32_t shard_count = 64;
};

struct actor_options {
  std::size_t scheduler_threads = 1;
  std::int64_t passivate_after_seconds = 60;
  std::size_t max_resident_entities = 200000; // per region; beyond, the idlest go first
};

struct idempotency_options {
  std::int64_t retention_seconds = 24 * 3600; // answers are replayed this long, then deleted
  std::int64_t sweep_interval_seconds = 60;   // how often expired answers are looked for
  std::size_t cache_bytes = 64 * 1024 * 1024; // the in-memory replay cache's bound
};

struct webhook_options {
  bool allow_private = false; // loopback, private and link-local targets allowed
  std::size_t max_in_flight = 256; // requests to endpoints in flight, over every endpoint
};

struct node_options {
  http_options http;
  storage_options storage;
  cluster_options cluster;
  actor_options actors;
  idempotency_options idempotency;
  webhook_options webhooks;
  std::string keys_file;
  std::vector<std::string> currencies;
};

} // namespace settle::config
