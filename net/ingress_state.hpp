// What every HTTP session of a node shares: the gateway, the keys, the options, the
// count of open connections and the sessions to close when draining.
#pragma once

#include "actors/gateway.hpp"
#include "config/keys_file.hpp"
#include "config/options.hpp"
#include "net/admission.hpp"

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <string>
#include <unordered_map>
#include <vector>

namespace boost::asio::ssl {
class context;
}

namespace settle::net {

class http_connection;
class stream_connection;

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
  web_files documents; // path ("/", "/app.js", "/openapi.yaml", …) -> file
  std::atomic<std::size_t> open_connections{0};
  std::atomic<bool> draining{false};

  std::mutex sessions_mutex; // guards `sessions` and `streams`
  std::vector<std::weak_ptr<http_connection>> sessions;
  std::vector<std::weak_ptr<stream_connection>> streams;

  void register_session(const std::shared_ptr<http_connection>& session);
  void register_stream(const std::shared_ptr<stream_connection>& stream);

  // Who a key is, or nothing for an unknown key.
  std::optional<requester> requester_of_key(std::string_view key) const;

  // Who an `Authorization: Bearer KEY` header names, or nothing.
  std::optional<requester> requester_of_header(std::string_view header) const;

  // With --http.tls-cert/--http.tls-key: the certificate and key every connection
  // presents (HTTPS and WSS only); null: plain HTTP.
  std::shared_ptr<boost::asio::ssl::context> tls;

  // Rate limits and bounds of work in flight, per key and for the node.
  std::shared_ptr<admission> admission_control;

  // Open connections per client address, each bounded by the options.
  std::mutex addresses_mutex;
  std::unordered_map<std::string, std::size_t> connections_by_address;
};

// The KEY of an `Authorization: Bearer KEY` header, or empty.
std::string_view bearer_key(std::string_view header);

// A connection's place in its client address's count, given back when the connection
// ends (its HTTP session, or the WebSocket session it became).
class address_slot {
public:
  address_slot(std::shared_ptr<ingress_state> state, std::string address);
  ~address_slot();
  address_slot(const address_slot&) = delete;
  address_slot& operator=(const address_slot&) = delete;

private:
  std::shared_ptr<ingress_state> state_;
  std::string address_;
};

// A place for a new connection from `address`, or nothing when that address already
// has as many open connections as the options allow.
std::shared_ptr<address_slot> take_address_slot(const std::shared_ptr<ingress_state>& state,
                                                const std::string& address);

} // namespace settle::net
