// Which events a webhook endpoint receives: its `events` filters, each `*` (every event),
// an exact event name, or an object's prefix with `.*` (`order.*`). Plain rules, used
// when an endpoint is created or changed and for every event delivered.
#pragma once

#include "domain/validation.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace settle {

// At most this many filters on one endpoint; duplicates are refused.
inline constexpr std::size_t maximum_webhook_filters = 32;

// Every event name the event log writes (API.md, Live status).
const std::vector<std::string_view>& event_names();

// 1 to maximum_webhook_filters filters, each `*`, an event name of event_names(), or
// `<object>.*` for an object that has events (user, account, transfer, order), none
// twice; otherwise `invalid_parameter` on `events`.
validation_result validate_event_filters(const std::vector<std::string>& filters);

// True when `event` (a name of event_names()) passes one of the filters.
bool event_matches(const std::vector<std::string>& filters, std::string_view event) noexcept;

} // namespace settle
