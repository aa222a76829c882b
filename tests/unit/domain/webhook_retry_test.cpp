// Tests the retry schedule of webhook deliveries: 1 s, 5 s, 30 s, 2 min, 10 min, then
// hourly, and no attempt beyond 3 days after the first.
#include "domain/webhook_retry.hpp"

#include <catch2/catch.hpp>

using namespace std::chrono_literals;
using settle::webhook_retry_delay;

TEST_CASE("retries come after 1 s, 5 s, 30 s, 2 min, 10 min, then hourly", "[webhooks]") {
  CHECK(webhook_retry_delay(1, 0s) == 1s);
  CHECK(webhook_retry_delay(2, 1s) == 5s);
  CHECK(webhook_retry_delay(3, 6s) == 30s);
  CHECK(webhook_retry_delay(4, 36s) == 120s);
  CHECK(webhook_retry_delay(5, 156s) == 600s);
  CHECK(webhook_retry_delay(6, 756s) == 3600s);
  CHECK(webhook_retry_delay(70, 756s) == 3600s);
}

TEST_CASE("no attempt is made more than 3 days after the first", "[webhooks]") {
  constexpr auto window = settle::webhook_retry_window;
  CHECK(window == 72h);
  CHECK(webhook_retry_delay(20, window - 3601s) == 3600s);
  CHECK(webhook_retry_delay(20, window - 3600s) == 3600s); // lands on the last second
  CHECK_FALSE(webhook_retry_delay(20, window - 3599s));
  CHECK_FALSE(webhook_retry_delay(1, window));
  // Counting the schedule from the first attempt: the attempts a receiver that is down
  // for good gets.
  int attempts = 1;
  std::chrono::seconds elapsed{0};
  while (auto delay = webhook_retry_delay(attempts, elapsed)) {
    elapsed += *delay;
    ++attempts;
  }
  // The first, five early retries (756 s), then 71 hourly ones (756 s + 71 h <= 72 h).
  CHECK(attempts == 1 + 5 + 71);
  CHECK(elapsed <= window);
}
