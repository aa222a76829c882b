// WebSocket client messages. A subscription that is read has 1 to 100 topics and a
// `since` that is not negative.
#include "net/stream_message.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto message =
    settle::net::parse_stream_message({reinterpret_cast<const char*>(data), size});
  if (const auto* subscribe = std::get_if<settle::net::subscribe_message>(&message)) {
    if (subscribe->topics.empty() || subscribe->topics.size() > settle::net::stream_topics_limit
        || subscribe->since < 0) {
      std::abort();
    }
  }
  return 0;
}
