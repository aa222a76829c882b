// Reading the event log, GET /v1/events, shared by the event and stream tests.
#pragma once

#include "tests/integration/harness/api_client.hpp"

#include <boost/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace settle::integration {

using event_list = std::vector<boost::json::object>;

std::int64_t seq_of(const boost::json::object& event);

std::string events_path(std::int64_t after, int limit);

// Every event the client sees after `after`, following `after=<last seq>` through pages of
// `limit`; a page that says has_more must not be empty.
event_list events_after(api_client& client, std::int64_t after, int limit = 100);

// The seq of the newest event the client sees, or 0.
std::int64_t last_seq(api_client& client);

} // namespace settle::integration
