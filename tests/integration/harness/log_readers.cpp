#include "tests/integration/harness/log_readers.hpp"

#include "tests/integration/harness/api_client.hpp"
#include "tests/integration/harness/event_helpers.hpp"
#include "tests/integration/harness/json_helpers.hpp"
#include "tests/integration/harness/ledger_helpers.hpp"

#include <thread>

namespace settle::integration {

namespace json = boost::json;
using namespace std::chrono_literals;
using std::chrono::steady_clock;

std::unique_ptr<websocket_client> subscribed_stream(std::uint16_t port, const std::string& key,
                                                    const std::string& topic) {
  auto stream = std::make_unique<websocket_client>(port, key);
  stream->send_json(
      json::object{{"type", "subscribe"}, {"topics", json::array{json::value(topic)}}});
  for (int messages = 0; messages < 100; ++messages) {
    if (stream->read_json(5s).at("type") == "subscribed") {
      return stream;
    }
  }
  throw websocket_error("no acknowledgement of the subscription to " + topic);
}

log_reading follow_log(std::uint16_t port, const std::string& key, std::int64_t after,
                       const std::atomic<std::int64_t>& final_seq, std::chrono::seconds limit) {
  log_reading reading;
  api_client client{port, key, 5s};
  const auto deadline = steady_clock::now() + limit;
  while (steady_clock::now() < deadline) {
    const auto target = final_seq.load();
    if (target >= 0 && after >= target) {
      break;
    }
    try {
      const auto page = get_list(client, events_path(after, 100));
      for (const auto& event : page.data) {
        reading.seqs.push_back(seq_of(event));
        after = seq_of(event);
      }
      if (page.data.empty()) {
        std::this_thread::sleep_for(20ms);
      }
    } catch (const std::exception& error) {
      reading.failures.push_back(error.what());
      std::this_thread::sleep_for(100ms);
    }
  }
  return reading;
}

log_reading read_stream(websocket_client& stream, std::int64_t after,
                        const std::atomic<std::int64_t>& final_seq, std::chrono::seconds limit) {
  log_reading reading;
  const auto deadline = steady_clock::now() + limit;
  while (steady_clock::now() < deadline) {
    const auto target = final_seq.load();
    if (target >= 0 && !reading.seqs.empty() && reading.seqs.back() >= target) {
      break;
    }
    const auto message = stream.read(200ms);
    if (message.what == websocket_message::kind::closed) {
      reading.failures.push_back("the stream closed");
      break;
    }
    if (message.what != websocket_message::kind::text) {
      continue;
    }
    const auto event = parse_json(message.text);
    if (event.is_object() && event.as_object().contains("seq") && seq_of(event.as_object()) > after) {
      reading.seqs.push_back(seq_of(event.as_object()));
    }
  }
  return reading;
}

} // namespace settle::integration
