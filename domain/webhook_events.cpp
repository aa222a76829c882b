#include "domain/webhook_events.hpp"

#include <algorithm>
#include <array>
#include <set>

namespace settle {
namespace {

constexpr std::array<std::string_view, 4> objects_with_events{"user", "account", "transfer",
                                                              "order"};

bool is_event_name(std::string_view name) {
  const auto& names = event_names();
  return std::find(names.begin(), names.end(), name) != names.end();
}

// `order.*` for an object with events: the object, without its `.*`; else empty.
std::string_view prefix_of(std::string_view filter) {
  constexpr std::string_view wildcard = ".*";
  if (filter.size() <= wildcard.size()
      || filter.substr(filter.size() - wildcard.size()) != wildcard) {
    return {};
  }
  auto object = filter.substr(0, filter.size() - wildcard.size());
  auto known = std::find(objects_with_events.begin(), objects_with_events.end(), object);
  return known == objects_with_events.end() ? std::string_view{} : object;
}

bool matches(std::string_view filter, std::string_view event) {
  if (filter == "*" || filter == event) {
    return true;
  }
  auto object = prefix_of(filter);
  return !object.empty() && event.size() > object.size() && event.substr(0, object.size()) == object
         && event[object.size()] == '.';
}

} // namespace

const std::vector<std::string_view>& event_names() {
  static const std::vector<std::string_view> names{
    "user.created",     "user.updated",    "user.deleted",    "account.created",
    "account.updated",  "transfer.settled", "order.created",  "order.authorized",
    "order.settled",    "order.failed",    "order.cancelled", "order.expired",
    "order.refunded"};
  return names;
}

validation_result validate_event_filters(const std::vector<std::string>& filters) {
  if (filters.empty() || filters.size() > maximum_webhook_filters) {
    return make_failure(settle_errc::invalid_parameter,
                        "events names 1 to 32 filters: \"*\", an event name or \"<object>.*\"",
                        "events");
  }
  std::set<std::string_view> seen;
  for (const auto& filter : filters) {
    if (filter != "*" && !is_event_name(filter) && prefix_of(filter).empty()) {
      return make_failure(settle_errc::invalid_parameter,
                          "events names no event or object: " + filter.substr(0, 80), "events");
    }
    if (!seen.insert(filter).second) {
      return make_failure(settle_errc::invalid_parameter,
                          "events names a filter twice: " + filter, "events");
    }
  }
  return std::nullopt;
}

bool event_matches(const std::vector<std::string>& filters, std::string_view event) noexcept {
  return std::any_of(filters.begin(), filters.end(),
                     [event](const std::string& filter) { return matches(filter, event); });
}

} // namespace settle
