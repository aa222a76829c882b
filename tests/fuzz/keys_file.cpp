// The keys file: any text either parses to keys whose tenants are not empty and do not
// start with '_' (the system's own), or is refused with an exception naming the line.
#include "config/keys_file.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    auto keys = settle::config::parse_keys({reinterpret_cast<const char*>(data), size});
    for (const auto& [key, entry] : keys) {
      if (key.empty() || entry.tenant.empty() || entry.tenant.front() == '_') {
        std::abort();
      }
    }
  } catch (const std::runtime_error&) {
    // refused: the expected answer to a malformed file
  }
  return 0;
}
