// Tests the ingress's admission: token buckets per key on a clock the test sets, work
// bounds per key and per node, and tickets that give their units back exactly once.
#include "net/admission.hpp"

#include <catch2/catch.hpp>

using settle::net::admission;
using settle::net::admission_limits;
using verdict = admission::verdict;
using std::chrono::milliseconds;

TEST_CASE("a key gets a burst of N requests, then N a second", "[admission]") {
  auto gate = std::make_shared<admission>(admission_limits{5, 65536, 32768},
                                          std::vector<std::string>{"key_a", "key_b"});
  const auto start = admission::clock::now();
  for (int index = 0; index < 5; ++index) {
    CHECK(gate->take_token("key_a", start).answer == verdict::admitted);
  }
  auto refused = gate->take_token("key_a", start);
  CHECK(refused.answer == verdict::rate_limited);
  CHECK(refused.retry_after.count() == 1);
  // Another key keeps its own bucket.
  CHECK(gate->take_token("key_b", start).answer == verdict::admitted);
  // 200 ms give one token back at 5 a second, and no more.
  CHECK(gate->take_token("key_a", start + milliseconds(200)).answer == verdict::admitted);
  CHECK(gate->take_token("key_a", start + milliseconds(200)).answer == verdict::rate_limited);
  // A long pause refills up to the burst only.
  const auto later = start + std::chrono::seconds(60);
  for (int index = 0; index < 5; ++index) {
    CHECK(gate->take_token("key_a", later).answer == verdict::admitted);
  }
  CHECK(gate->take_token("key_a", later).answer == verdict::rate_limited);
}

TEST_CASE("Retry-After says how many whole seconds until a token is back", "[admission]") {
  auto gate = std::make_shared<admission>(admission_limits{0.25, 65536, 32768},
                                          std::vector<std::string>{"slow"});
  const auto start = admission::clock::now();
  // A rate below one a second still has a burst of one request, then a token every 4 s.
  CHECK(gate->take_token("slow", start).answer == verdict::admitted);
  auto refused = gate->take_token("slow", start);
  CHECK(refused.answer == verdict::rate_limited);
  CHECK(refused.retry_after.count() == 4);
  CHECK(gate->take_token("slow", start + std::chrono::seconds(4)).answer == verdict::admitted);
}

TEST_CASE("with no rate limit every request of a known key passes", "[admission]") {
  auto gate = std::make_shared<admission>(admission_limits{0, 65536, 32768},
                                          std::vector<std::string>{"key_a"});
  for (int index = 0; index < 1000; ++index) {
    REQUIRE(gate->take_token("key_a").answer == verdict::admitted);
  }
}

TEST_CASE("work is bounded per key (429) and per node (503), by weight", "[admission]") {
  auto gate = std::make_shared<admission>(admission_limits{0, 2500, 2000},
                                          std::vector<std::string>{"key_a", "key_b"});
  auto first = gate->admit_work("key_a", 1000);
  auto second = gate->admit_work("key_a", 1000);
  REQUIRE(first.answer == verdict::admitted);
  REQUIRE(second.answer == verdict::admitted);
  CHECK(gate->admit_work("key_a", 1).answer == verdict::key_busy);
  // The other key is within its own bound but the node has 500 left.
  CHECK(gate->admit_work("key_b", 501).answer == verdict::node_busy);
  auto fits = gate->admit_work("key_b", 500);
  CHECK(fits.answer == verdict::admitted);
  CHECK(gate->work_in_flight() == 2500);
  // Giving a ticket back frees its weight, once, however often it is released.
  first.admitted->release();
  first.admitted->release();
  CHECK(gate->work_in_flight() == 1500);
  first.admitted.reset();
  CHECK(gate->work_in_flight() == 1500);
  CHECK(gate->admit_work("key_a", 1000).answer == verdict::admitted); // dropped at once
  CHECK(gate->work_in_flight() == 1500);
  second.admitted.reset(); // a ticket that ends unreleased gives back too
  fits.admitted.reset();
  CHECK(gate->work_in_flight() == 0);
}

TEST_CASE("an unknown key is never admitted", "[admission]") {
  auto gate = std::make_shared<admission>(admission_limits{5, 65536, 32768},
                                          std::vector<std::string>{"key_a"});
  CHECK(gate->take_token("nobody").answer != verdict::admitted);
  CHECK(gate->admit_work("nobody", 1).answer != verdict::admitted);
  CHECK(gate->work_in_flight() == 0);
}
