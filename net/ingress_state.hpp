// What every HTTP session of a node shares: the gateway, the keys, the options, the
// count of open connections and the sessions to close when draining.
#pragma once

#include "actors/gateway.hpp"
#include "config/keys_file.hpp"
#include "config/options.hpp"

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace settle::net {

class http_session;

struct ingress_state {
  gateway_actor gateway;
  config::http_options options;
  config::key_table keys;
  std::string dashboard_html;
  std::atomic<std::size_t> open_connections{0};
  std::atomic<bool> draining{false};

  std::mutex sessions_mutex; // guards `sessions`
  std::vector<std::weak_ptr<http_session>> sessions;

  void register_session(const std::shared_ptr<http_session>& session);
};

} // namespace settle::net
