// Request targets: ids become path segments and query values percent-encoded, so that an
// id from an untrusted source can never change which resource a request names.
#pragma once

#include "client/resources.hpp"

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace settle::client {

// Every byte but the unreserved characters of RFC 3986 as %XX.
std::string percent_encode(std::string_view text);

// "/v1/accounts/" + encoded id + suffix.
std::string resource_target(std::string_view collection, std::string_view id,
                            std::string_view suffix = "");

// `path` followed by "?name=value&..." for the parameters that are given.
std::string with_query(std::string path, const std::vector<std::pair<std::string, std::string>>& parameters);

// The limit and starting_after of a list, as query parameters.
std::vector<std::pair<std::string, std::string>> list_parameters(const list_options& options);

} // namespace settle::client
