// Event log reading for the tests.
#include "tests/integration/harness/event_helpers.hpp"

#include "tests/integration/harness/json_helpers.hpp"
#include "tests/integration/harness/ledger_helpers.hpp"

#include <stdexcept>

namespace settle::integration {

std::int64_t seq_of(const boost::json::object& event) {
  return integer_field(event, "seq");
}

std::string events_path(std::int64_t after, int limit) {
  return "/v1/events?after=" + std::to_string(after) + "&limit=" + std::to_string(limit);
}

event_list events_after(api_client& client, std::int64_t after, int limit) {
  event_list everything;
  for (int pages = 0; pages < 10'000; ++pages) {
    const auto page = get_list(client, events_path(after, limit));
    everything.insert(everything.end(), page.data.begin(), page.data.end());
    if (!page.has_more) {
      return everything;
    }
    if (page.data.empty()) {
      throw std::runtime_error("GET " + events_path(after, limit) + ": has_more with an empty page");
    }
    after = seq_of(page.data.back());
  }
  throw std::runtime_error("GET /v1/events: more than 10000 pages");
}

std::int64_t last_seq(api_client& client) {
  const auto events = events_after(client, 0);
  return events.empty() ? 0 : seq_of(events.back());
}

} // namespace settle::integration
