// What every HTTP session of a node shares: the gateway, the keys, the options, the
// count of open connections and the sessions to close when draining.
#pragma once

#include "actors/gateway.hpp"
#include "config/keys_file.hpp"
#include "config/options.hpp"

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <string>
#include <vector>

namespace settle::net {

class http_session;
class websocket_session;

struct web_file {
  std::string content_type;
  std::string body;
};

using web_files = std::map<std::string, web_file>;

struct ingress_state {
  gateway_actor gateway;
  event_hub_actor events;
  std::atomic<std::uint64_t> next_subscription{0};
  config::http_options options;
  config::key_table keys;
  web_files dashboard; // path ("/", "/app.js", …) -> file
  std::atomic<std::size_t> open_connections{0};
  std::atomic<bool> draining{false};

  std::mutex sessions_mutex; // guards `sessions` and `streams`
  std::vector<std::weak_ptr<http_session>> sessions;
  std::vector<std::weak_ptr<websocket_session>> streams;

  void register_session(const std::shared_ptr<http_session>& session);
  void register_stream(const std::shared_ptr<websocket_session>& stream);

  // Who a key is, or nothing for an unknown key.
  std::optional<requester> requester_of_key(std::string_view key) const;

  // Who an `Authorization: Bearer KEY` header names, or nothing.
  std::optional<requester> requester_of_header(std::string_view header) const;
};

} // namespace settle::net
