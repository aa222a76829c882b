#include "domain/webhook_retry.hpp"

#include <array>

namespace settle {

std::optional<std::chrono::seconds> webhook_retry_delay(int failed_attempts,
                                                        std::chrono::seconds since_first) noexcept {
  using std::chrono::seconds;
  constexpr std::array<seconds, 5> first_delays{seconds{1}, seconds{5}, seconds{30},
                                                seconds{120}, seconds{600}};
  constexpr seconds hourly{3600};
  if (failed_attempts < 1) {
    return seconds{0};
  }
  auto index = static_cast<std::size_t>(failed_attempts - 1);
  auto delay = index < first_delays.size() ? first_delays[index] : hourly;
  if (since_first + delay > webhook_retry_window) {
    return std::nullopt;
  }
  return delay;
}

} // namespace settle
