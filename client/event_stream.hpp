// A live subscription to the event stream (WebSocket /v1/stream) that survives
// disconnects: it remembers the seq of the last event it delivered and, after any
// disconnect (the server restarting, a network cut, a close for a slow reader), connects
// again and subscribes with since = that seq. The stream so delivers every event once, in
// seq order, with no gap and no duplicate across reconnects.
//
// Blocking and single-threaded like api_client: next_event() runs the connection on the
// caller's thread. Call it at least every 30 seconds or so; a peer silent for 60 seconds
// is dropped by the server (the subscription then reconnects, losing nothing).
#pragma once

#include "client/options.hpp"
#include "client/resources.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace settle::client {

struct stream_options {
  // "*" (every event the key may see), account, user, transfer or order ids.
  std::vector<std::string> topics{"*"};
  // Replay the stored events after this seq first. Without it only events committed from
  // the subscription on arrive; then a disconnect before the first event delivered can
  // lose the events committed meanwhile, so give `since` when every event matters.
  std::optional<std::int64_t> since;
  // Waits between reconnection attempts: from the first, doubling, up to the second.
  std::chrono::milliseconds first_reconnect_wait{100};
  std::chrono::milliseconds max_reconnect_wait{std::chrono::seconds(5)};
};

class event_stream {
 public:
  // Connects and subscribes. Throws api_error when the server refuses the key (401),
  // connection_error when it cannot be reached within the request timeout.
  event_stream(client_options connection, stream_options options);
  ~event_stream();
  event_stream(event_stream&&) noexcept;
  event_stream& operator=(event_stream&&) noexcept;
  event_stream(const event_stream&) = delete;
  event_stream& operator=(const event_stream&) = delete;

  // The next event, reconnecting as often as needed within `timeout`; empty when none
  // arrived in time. Throws api_error when a reconnection is refused for its key (401, or
  // a close with 1008), protocol_error when the server answers the subscription with an
  // error.
  std::optional<event> next_event(std::chrono::milliseconds timeout);

  // The seq of the last event delivered (or the `since` given, before the first).
  std::optional<std::int64_t> last_seq() const;
  // How many times the connection was made again after a disconnect.
  int reconnections() const;

  // A normal close (1000). The destructor closes too.
  void close();

 private:
  struct state;
  std::unique_ptr<state> state_;
};

} // namespace settle::client
