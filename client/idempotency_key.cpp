// Keys come straight from std::random_device, not from a seeded engine: two processes
// started at the same moment must not produce the same sequence of keys.
#include "client/idempotency_key.hpp"

#include <cstdint>
#include <random>

namespace settle::client {

std::string new_idempotency_key() {
  static constexpr char digits[] = "0123456789abcdef";
  static constexpr int random_bits = 128;
  std::random_device source;
  std::string key = "settle-cpp-";
  for (int produced = 0; produced < random_bits; produced += 32) {
    std::uint32_t word = source();
    for (int nibble = 0; nibble < 8; ++nibble) {
      key.push_back(digits[word & 0xF]);
      word >>= 4;
    }
  }
  return key;
}

} // namespace settle::client
