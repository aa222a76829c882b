// Temporary folders under the system's temporary directory, made with mkdtemp.
#include "tests/unit/support/temporary_directory.hpp"

#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <vector>

namespace settle::testing {

temporary_directory::temporary_directory() {
  auto pattern = (std::filesystem::temp_directory_path() / "settle-unit-XXXXXX").string();
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  if (mkdtemp(buffer.data()) == nullptr) {
    throw std::runtime_error{"cannot make a temporary folder from " + pattern};
  }
  path_ = buffer.data();
}

temporary_directory::~temporary_directory() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

} // namespace settle::testing
