// When a failed webhook delivery is tried again (API.md, Webhooks): about 1 s, 5 s,
// 30 s, 2 min, 10 min after the first failures, then hourly, for up to 3 days after the
// first attempt; then the delivery has failed for good.
#pragma once

#include <chrono>
#include <optional>

namespace settle {

inline constexpr std::chrono::seconds webhook_retry_window{3 * 24 * 3600};

// The wait before the next attempt after `failed_attempts` (1 or more) failures, the
// first attempt `since_first` ago; nullopt when that attempt would fall beyond the window.
std::optional<std::chrono::seconds> webhook_retry_delay(int failed_attempts,
                                                        std::chrono::seconds since_first) noexcept;

} // namespace settle
