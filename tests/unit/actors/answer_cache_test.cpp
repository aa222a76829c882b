// Tests the idempotency guard's answer cache: bounded in bytes whatever the answers'
// sizes (the oldest leave first), the newest always found, a replaced answer counted
// once, and tenants kept apart.
#include "actors/answer_cache.hpp"

#include <catch2/catch.hpp>

#include <string>

namespace {

settle::persistence::idempotency_record answer(const std::string& tenant, const std::string& key,
                                               std::size_t body_bytes) {
  return {tenant, key, "fingerprint", 201, std::string(body_bytes, 'x'), 1};
}

} // namespace

TEST_CASE("the answer cache stays within its bytes, oldest out first", "[answer_cache]") {
  constexpr std::size_t limit = 100'000;
  settle::answer_cache cache{limit};
  for (int index = 0; index < 8000; ++index) {
    cache.remember(answer("acme", "key " + std::to_string(index), 9 * 1024));
    REQUIRE(cache.bytes() <= limit);
  }
  CHECK(cache.size() >= 9); // ten answers of 9 KB and a little: nine or ten fit
  CHECK(cache.size() <= 10);
  CHECK(cache.find(settle::tenant_name{"acme"}, "key 7999") != nullptr);
  CHECK(cache.find(settle::tenant_name{"acme"}, "key 0") == nullptr);
  // One answer larger than the whole cache is not kept, and leaves the cache empty.
  cache.remember(answer("acme", "huge", 2 * limit));
  CHECK(cache.bytes() == 0);
  CHECK(cache.find(settle::tenant_name{"acme"}, "huge") == nullptr);
}

TEST_CASE("a replaced answer is counted once; tenants are apart", "[answer_cache]") {
  settle::answer_cache cache{1'000'000};
  cache.remember(answer("acme", "k", 1000));
  auto once = cache.bytes();
  cache.remember(answer("acme", "k", 1000));
  CHECK(cache.bytes() == once);
  CHECK(cache.size() == 1);
  cache.remember(answer("ACME", "k", 10));
  CHECK(cache.size() == 2);
  REQUIRE(cache.find(settle::tenant_name{"ACME"}, "k") != nullptr);
  CHECK(cache.find(settle::tenant_name{"ACME"}, "k")->body.size() == 10);
  CHECK(cache.find(settle::tenant_name{"acme"}, "k")->body.size() == 1000);
}
