#include "tests/unit/support/metric_value.hpp"

#include "domain/metrics.hpp"

#include <sstream>

namespace settle::testing {

std::int64_t metric_value(const std::string& series) {
  std::istringstream metrics{metrics_registry::instance().render()};
  std::string prefix = series + " ";
  std::string line;
  while (std::getline(metrics, line)) {
    if (line.rfind(prefix, 0) == 0) {
      return std::stoll(line.substr(prefix.size()));
    }
  }
  return 0;
}

} // namespace settle::testing
