// The storage URL: any text names SQLite, PostgreSQL or nothing, without crashing; a
// SQLite path is never empty and never carries a quote or NUL into SOCI's connection
// string (db="PATH").
#include "persistence/storage_url.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto url = settle::persistence::parse_storage_url({reinterpret_cast<const char*>(data), size});
  if (url && url->kind == settle::persistence::dialect::sqlite
      && (url->file.empty()
          || url->file.find_first_of(std::string_view{"\"\0", 2}) != std::string::npos)) {
    std::abort();
  }
  return 0;
}
