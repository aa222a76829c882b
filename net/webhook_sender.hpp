// The outgoing HTTP(S) client of webhooks. It runs on its own Asio io_context and thread,
// so a slow or dead receiver holds only that thread's sockets, never the payment path.
// Each post gets one deadline, is sent only to addresses is_public_address allows (checked
// on the resolved addresses of every new connection), follows no redirect and reads at
// most a small part of the answer's body: only the status matters. Kept-alive connections
// are reused per scheme, host and port. This header stays free of Boost and OpenSSL: actor
// code includes it.
#pragma once

#include "actors/webhook_transport.hpp"

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace settle::net {

// An endpoint's URL, split: scheme "http" or "https"; host a name, an IPv4 literal or an
// IPv6 literal without brackets; port as text (80 or 443 when the URL names none); target
// the path and query ("/" when the path is empty).
struct webhook_url {
  std::string scheme;
  std::string host;
  std::string port;
  std::string target;
};

inline constexpr std::size_t longest_webhook_url = 2048;

// nullopt, with `why` set to one sentence for an API client, when `text` is not an
// absolute http:// or https:// URL with a host, or has a user name or password, a
// fragment, an invalid port, or more than longest_webhook_url characters.
std::optional<webhook_url> parse_webhook_url(std::string_view text, std::string& why);

// A post carries the event's seq (Settle-Event-Seq) and the endpoint's secret: the
// sender signs the body when it builds the request (Settle-Signature, see
// webhook_signature.hpp), so the time signed is the time sent. An outcome's status_code
// 0 means no HTTP answer; `error` then says why in a few words ("timed out", "connection
// refused", "address not allowed: 127.0.0.1", "stopped", ...).
using settle::webhook_outcome;
using settle::webhook_post;

struct webhook_sender_options {
  bool allow_private = false;                  // --webhooks.allow-private
  std::chrono::milliseconds timeout{10000};    // a whole post: resolve, connect, TLS, write, read
  std::size_t response_body_limit = 16 * 1024; // bytes of an answer's body read (then dropped)
  std::size_t max_in_flight = 256;             // posts in flight, in all (at least 1)
  std::size_t max_waiting = 10000;             // posts queued behind that; more are refused
  std::size_t max_idle_connections = 64;       // kept-alive connections kept for reuse, in all
  std::chrono::seconds idle_timeout{30};       // a kept connection unused this long is closed
};

struct webhook_sender_state;

// Every entry point may be called from any thread; every callback is called exactly once,
// on the sender's thread (so it must not block, nor destroy the sender).
class webhook_sender final : public webhook_transport {
public:
  explicit webhook_sender(webhook_sender_options options); // starts the thread
  // Closes every connection and joins the thread. Callbacks not yet called are called, on
  // the sender's thread before it ends, with status 0 and error "stopped" (a check with
  // "the webhook sender stopped"). Only a name resolution already under way in the
  // system's resolver can delay it (Asio cannot interrupt getaddrinfo).
  ~webhook_sender() override;
  webhook_sender(const webhook_sender&) = delete;
  webhook_sender& operator=(const webhook_sender&) = delete;

  // done(nullopt) when the URL parses and every address its host resolves to may be used
  // (public, or allow_private); else done(one sentence why), also when the name does not
  // resolve within the timeout. IP literals are judged without DNS.
  void check_address(std::string url,
                     std::function<void(std::optional<std::string>)> done) override;

  // POSTs the body; answers within options.timeout (plus queueing behind max_in_flight).
  void post(webhook_post request, std::function<void(webhook_outcome)> done) override;

private:
  std::unique_ptr<webhook_sender_state> state_;
};

} // namespace settle::net
