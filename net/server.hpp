// The HTTP ingress of a node: binds the listen address, runs the Asio threads, and
// drains at shutdown. Keeps Beast out of the header so main stays light.
#pragma once

#include "actors/gateway.hpp"
#include "config/keys_file.hpp"
#include "config/options.hpp"

#include <chrono>
#include <memory>
#include <string>

namespace settle::net {

class http_server {
public:
  // `web_root`: the folder of the dashboard's files (index.html, app.js, style.css).
  http_server(gateway_actor gateway, event_hub_actor events, config::http_options options,
              config::key_table keys, const std::string& web_root);
  ~http_server();

  // Binds the listen address and starts serving. Returns "HOST:PORT" as bound.
  // Throws std::runtime_error when the address is malformed or taken.
  std::string start();

  // Stops accepting, ends the event streams, and waits up to `limit` for the requests
  // in progress to be answered and the connections to close: one in use closes after
  // its next answer (Connection: close), a quiet one is closed after a second.
  void drain(std::chrono::milliseconds limit);

  // Stops the Asio threads.
  void stop();

private:
  struct implementation;
  std::unique_ptr<implementation> implementation_;
};

// Loads the HTTPS certificate chain and key as start() would; throws std::runtime_error
// naming the file that cannot be used.
void check_tls_files(const std::string& certificate, const std::string& key);

} // namespace settle::net
