// Idempotency-Key values: one per call, made before its first attempt and sent again on
// every retry of that call.
#pragma once

#include <string>

namespace settle::client {

// "settle-cpp-" and 32 lowercase hexadecimal digits (128 bits from std::random_device):
// printable ASCII, well inside the contract's 1 to 255 characters, and unique enough that
// two calls of one tenant never share a key.
std::string new_idempotency_key();

} // namespace settle::client
