// The route table: which endpoint a method and path name, the path's parameters, and
// for a known path with another method, the methods it allows (405 with `Allow`).
#pragma once

#include "actors/commands.hpp"

#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace settle::net {

using query_parameters = std::vector<std::pair<std::string, std::string>>;

// What a command builder gets from the request.
struct route_input {
  std::vector<std::string> path_parameters;
  query_parameters query;
  std::string_view body;
};

using built_command = std::variant<command, failure>;
using command_builder = built_command (*)(const route_input& input);

enum class endpoint {
  api,       // a /v1 command, authenticated, answered by the gateway
  healthz,
  readyz,
  metrics,
  stream,    // the WebSocket upgrade
  document,  // a file served as it is: the dashboard's, the OpenAPI document
};

struct route {
  std::string_view method;
  std::string_view pattern; // "/v1/users/{id}"; also the metrics label
  endpoint kind = endpoint::api;
  command_builder build = nullptr;
  bool batch_body = false; // the larger body limit of /v1/transfers/batch
};

struct route_match {
  const route* matched = nullptr;
  std::vector<std::string> path_parameters;
  std::string allowed_methods; // when the path exists with other methods: "GET, POST"
};

// `path` as the request gave it (percent-encoded): it is split at its slashes first and
// each segment decoded after, so "%2F" is part of a segment, never a separator. A path
// with a broken escape matches nothing.
route_match match_route(std::string_view method, std::string_view path);

// The body limit that applies to `path` before the method is known.
bool is_batch_path(std::string_view path);

// Splits `target` into its path (still percent-encoded, for match_route) and its query
// parameters (decoded, '+' as a space, empty pairs skipped); false when an escape is
// broken anywhere in it.
bool split_target(std::string_view target, std::string& path, query_parameters& query);

} // namespace settle::net
