#include "domain/webhook_endpoint.hpp"

namespace settle {

const char* to_string(webhook_status status) noexcept {
  return status == webhook_status::enabled ? "enabled" : "disabled";
}

const char* to_string(delivery_status status) noexcept {
  switch (status) {
  case delivery_status::pending:
    return "pending";
  case delivery_status::succeeded:
    return "succeeded";
  case delivery_status::failed:
    return "failed";
  }
  return "failed";
}

std::optional<webhook_status> parse_webhook_status(std::string_view text) noexcept {
  if (text == "enabled") {
    return webhook_status::enabled;
  }
  if (text == "disabled") {
    return webhook_status::disabled;
  }
  return std::nullopt;
}

std::optional<delivery_status> parse_delivery_status(std::string_view text) noexcept {
  for (auto status : {delivery_status::pending, delivery_status::succeeded,
                      delivery_status::failed}) {
    if (text == to_string(status)) {
      return status;
    }
  }
  return std::nullopt;
}

std::string join_filters(const std::vector<std::string>& filters) {
  std::string joined;
  for (const auto& filter : filters) {
    if (!joined.empty()) {
      joined += ',';
    }
    joined += filter;
  }
  return joined;
}

std::vector<std::string> split_filters(std::string_view stored) {
  std::vector<std::string> filters;
  while (!stored.empty()) {
    auto comma = stored.find(',');
    filters.emplace_back(stored.substr(0, comma));
    stored = comma == std::string_view::npos ? std::string_view{} : stored.substr(comma + 1);
  }
  return filters;
}

} // namespace settle
