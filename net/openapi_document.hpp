// The OpenAPI document of the API (docs/openapi.yaml), compiled into the binary
// (net/embed_text.cmake) and served at GET /openapi.yaml.
#pragma once

#include <string_view>

namespace settle::net {

std::string_view openapi_document();

} // namespace settle::net
