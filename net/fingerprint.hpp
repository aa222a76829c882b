// The fingerprint of a request for idempotency: SHA-256 over method, target and body
// bytes, so "the same request" means exactly those three.
#pragma once

#include <string>
#include <string_view>

namespace settle::net {

std::string request_fingerprint(std::string_view method, std::string_view target,
                                std::string_view body);

} // namespace settle::net
