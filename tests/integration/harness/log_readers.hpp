// Readers that follow the event log while it grows: a client paging GET /v1/events by
// `after`, and a WebSocket subscriber. A test compares what each read with the final log.
#pragma once

#include "tests/integration/harness/websocket_client.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace settle::integration {

// A stream of settled on `port`, subscribed to `topic` with `key`, returned once the
// subscription is acknowledged.
std::unique_ptr<websocket_client> subscribed_stream(std::uint16_t port, const std::string& key,
                                                    const std::string& topic);

// What one reader saw: the seqs in the order they came, and its failed requests.
struct log_reading {
  std::vector<std::int64_t> seqs;
  std::vector<std::string> failures;
};

// Follows GET /v1/events on `port` from `after` until it has read `final_seq` (set once
// the load is over) or `limit` passes; a failed request is retried, as a client would.
log_reading follow_log(std::uint16_t port, const std::string& key, std::int64_t after,
                       const std::atomic<std::int64_t>& final_seq, std::chrono::seconds limit);

// The seqs after `after` that a stream delivers until it has delivered `final_seq` or
// `limit` passes (a hub may still hand over events from before `after`, committed before
// the subscription but not yet read from the log then).
log_reading read_stream(websocket_client& stream, std::int64_t after,
                        const std::atomic<std::int64_t>& final_seq, std::chrono::seconds limit);

} // namespace settle::integration
