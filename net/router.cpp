// Route matching by path segments; `{...}` segments capture a parameter. A target is
// split at its separators first and its pieces percent-decoded after (by Boost.URL), so
// an escaped separator ("%2F", "%26", "%3D") is part of its piece's text.
#include "net/router.hpp"

#include "net/api_commands.hpp"

#include <boost/url/encoding_opts.hpp>
#include <boost/url/pct_string_view.hpp>

#include <algorithm>
#include <array>
#include <optional>

namespace settle::net {
namespace {

const std::array<route, 45> routes{{
  {"GET", "/healthz", endpoint::healthz, nullptr, false},
  {"GET", "/readyz", endpoint::readyz, nullptr, false},
  {"GET", "/metrics", endpoint::metrics, nullptr, false},
  {"GET", "/", endpoint::document, nullptr, false},
  {"GET", "/app.js", endpoint::document, nullptr, false},
  {"GET", "/style.css", endpoint::document, nullptr, false},
  {"GET", "/openapi.yaml", endpoint::document, nullptr, false},
  {"GET", "/i18n/en.json", endpoint::document, nullptr, false},
  {"GET", "/i18n/zh.json", endpoint::document, nullptr, false},
  {"GET", "/v1/stream", endpoint::stream, nullptr, false},
  {"POST", "/v1/users", endpoint::api, build_create_user, false},
  {"GET", "/v1/users", endpoint::api, build_list_users, false},
  {"GET", "/v1/users/{id}", endpoint::api, build_get_user, false},
  {"PUT", "/v1/users/{id}", endpoint::api, build_update_user, false},
  {"DELETE", "/v1/users/{id}", endpoint::api, build_delete_user, false},
  {"POST", "/v1/accounts", endpoint::api, build_create_account, false},
  {"GET", "/v1/accounts", endpoint::api, build_list_accounts, false},
  {"GET", "/v1/accounts/{id}", endpoint::api, build_get_account, false},
  {"DELETE", "/v1/accounts/{id}", endpoint::api, build_close_account, false},
  {"POST", "/v1/accounts/{id}/deposits", endpoint::api, build_deposit, false},
  {"POST", "/v1/accounts/{id}/withdrawals", endpoint::api, build_withdrawal, false},
  {"GET", "/v1/accounts/{id}/entries", endpoint::api, build_list_entries, false},
  {"POST", "/v1/transfers", endpoint::api, build_create_transfer, false},
  {"GET", "/v1/transfers", endpoint::api, build_list_transfers, false},
  {"POST", "/v1/transfers/batch", endpoint::api, build_transfer_batch, true},
  {"GET", "/v1/transfers/{id}", endpoint::api, build_get_transfer, false},
  {"POST", "/v1/orders", endpoint::api, build_create_order, false},
  {"GET", "/v1/orders", endpoint::api, build_list_orders, false},
  {"GET", "/v1/orders/{id}", endpoint::api, build_get_order, false},
  {"PUT", "/v1/orders/{id}", endpoint::api, build_update_order, false},
  {"DELETE", "/v1/orders/{id}", endpoint::api, build_delete_order, false},
  {"POST", "/v1/orders/{id}/confirm", endpoint::api, build_confirm_order, false},
  {"POST", "/v1/orders/{id}/capture", endpoint::api, build_capture_order, false},
  {"POST", "/v1/orders/{id}/cancel", endpoint::api, build_cancel_order, false},
  {"POST", "/v1/orders/{id}/refunds", endpoint::api, build_refund_order, false},
  {"GET", "/v1/events", endpoint::api, build_list_events, false},
  {"POST", "/v1/webhook_endpoints", endpoint::api, build_create_webhook_endpoint, false},
  {"GET", "/v1/webhook_endpoints", endpoint::api, build_list_webhook_endpoints, false},
  {"GET", "/v1/webhook_endpoints/{id}", endpoint::api, build_get_webhook_endpoint, false},
  {"PUT", "/v1/webhook_endpoints/{id}", endpoint::api, build_update_webhook_endpoint, false},
  {"DELETE", "/v1/webhook_endpoints/{id}", endpoint::api, build_delete_webhook_endpoint, false},
  {"GET", "/v1/webhook_endpoints/{id}/deliveries", endpoint::api, build_list_webhook_deliveries,
   false},
  {"POST", "/v1/webhook_endpoints/{id}/deliveries/{delivery}/retry", endpoint::api,
   build_retry_webhook_delivery, false},
  {"GET", "/v1/audit", endpoint::api, build_audit, false},
  {"GET", "/v1/cluster", endpoint::api, build_cluster, false},
}};

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> segments;
  std::size_t start = 1;
  while (start <= path.size()) {
    auto end = path.find('/', start);
    if (end == std::string_view::npos) {
      end = path.size();
    }
    segments.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return segments;
}

// One piece of a target (a path segment, a query name or value) decoded; nothing when an
// escape in it is broken. Characters RFC 3986 would have escaped ("<", "|", "{") pass as
// they are: the value is then refused by whoever reads it, with a clearer error.
std::optional<std::string> decode_piece(std::string_view text, bool plus_is_space) {
  auto checked = boost::urls::make_pct_string_view(boost::urls::string_view{text.data(), text.size()});
  if (!checked) {
    return std::nullopt;
  }
  boost::urls::encoding_opts options;
  options.space_as_plus = plus_is_space;
  return checked->decode(options);
}

// The path's segments, each decoded on its own ('+' is itself in a path); nothing when
// one holds a broken escape.
std::optional<std::vector<std::string>> decoded_segments(std::string_view path) {
  std::vector<std::string> segments;
  for (auto raw : split_path(path)) {
    auto segment = decode_piece(raw, false);
    if (!segment) {
      return std::nullopt;
    }
    segments.push_back(std::move(*segment));
  }
  return segments;
}

// Matches the path's segments against `pattern`, capturing the `{...}` segments.
bool matches(std::string_view pattern, const std::vector<std::string>& path,
             std::vector<std::string>& parameters) {
  auto expected = split_path(pattern);
  if (expected.size() != path.size()) {
    return false;
  }
  std::vector<std::string> captured;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    if (!expected[i].empty() && expected[i].front() == '{') {
      if (path[i].empty()) {
        return false;
      }
      captured.emplace_back(path[i]);
    } else if (expected[i] != path[i]) {
      return false;
    }
  }
  parameters = std::move(captured);
  return true;
}

// Whether some route's pattern is exactly this path, with no parameter in it.
bool names_a_route(const std::vector<std::string>& segments) {
  return std::any_of(routes.begin(), routes.end(), [&](const route& candidate) {
    std::vector<std::string> parameters;
    return matches(candidate.pattern, segments, parameters) && parameters.empty();
  });
}

} // namespace

route_match match_route(std::string_view method, std::string_view path) {
  route_match result;
  auto decoded = decoded_segments(path);
  if (!decoded) {
    return result;
  }
  const auto& segments = *decoded;
  // A path that names a route ("/v1/transfers/batch") is that route's, never the value of
  // another route's parameter ("/v1/transfers/{id}" with the id "batch"): with another
  // method it is 405, not a lookup of a transfer called "batch".
  const bool named = names_a_route(segments);
  for (const auto& candidate : routes) {
    std::vector<std::string> parameters;
    if (!matches(candidate.pattern, segments, parameters) || (named && !parameters.empty())) {
      continue;
    }
    if (candidate.method == method) {
      result.matched = &candidate;
      result.path_parameters = std::move(parameters);
      return result;
    }
    if (!result.allowed_methods.empty()) {
      result.allowed_methods += ", ";
    }
    result.allowed_methods += candidate.method;
  }
  return result;
}

bool is_batch_path(std::string_view path) {
  return path == "/v1/transfers/batch";
}

bool split_target(std::string_view target, std::string& path, query_parameters& query) {
  auto question = target.find('?');
  path = std::string{target.substr(0, question)};
  // Only checked here: match_route decodes the path, segment by segment. An escape never
  // spans a '/', so checking the whole path is checking each segment.
  if (!boost::urls::make_pct_string_view(boost::urls::string_view{path.data(), path.size()})) {
    return false;
  }
  if (question == std::string_view::npos) {
    return true;
  }
  auto rest = target.substr(question + 1);
  while (!rest.empty()) {
    auto ampersand = rest.find('&');
    auto pair = rest.substr(0, ampersand);
    rest = ampersand == std::string_view::npos ? std::string_view{} : rest.substr(ampersand + 1);
    if (pair.empty()) {
      continue;
    }
    auto equals = pair.find('=');
    auto name = decode_piece(pair.substr(0, equals), true);
    auto value = equals == std::string_view::npos ? std::optional<std::string>{""}
                                                  : decode_piece(pair.substr(equals + 1), true);
    if (!name || !value) {
      return false;
    }
    query.emplace_back(std::move(*name), std::move(*value));
  }
  return true;
}

} // namespace settle::net
