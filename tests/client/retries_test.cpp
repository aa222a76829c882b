// Retries: a lost answer is retried with the same Idempotency-Key and applied once; 429
// and 503 are retried after Retry-After (capped); the attempts are bounded.
#include "tests/client/client_testing.hpp"

#include "tests/integration/harness/free_port.hpp"

#include <thread>
#include <vector>

namespace settle::client_tests {

namespace {

// A client whose every retry notice is kept, for the test to read.
struct observed_client {
  std::vector<client::retry_notice> notices;
  client::api_client api;

  explicit observed_client(client::client_options options) : api(observe(std::move(options))) {}

  client::client_options observe(client::client_options options) {
    options.on_retry = [this](const client::retry_notice& notice) { notices.push_back(notice); };
    return options;
  }
};

std::string canned_unavailable(const std::string& retry_after) {
  const std::string body =
    R"({"error":{"type":"api_error","code":"unavailable","message":"canned by the test's proxy","param":null}})";
  return "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nRetry-After: " + retry_after
         + "\r\nContent-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
}

} // namespace

TEST_CASE("a transfer whose answer is lost is retried with the same key and applied once",
          "[client][retries][idempotency]") {
  auto& server = shared_server();
  fault_proxy proxy(server.port());
  observed_client observed(options_for(proxy.base_url(), acme_key));
  auto& api = observed.api;
  auto payer = make_funded_account(api, 10'000);
  auto payee = make_funded_account(api, 0);

  proxy.drop_next_answer();
  auto paid = api.create_transfer({payer.account.id, payee.account.id, 2'500, "USD", {}});

  const auto key = api.last_call().idempotency_key;
  CHECK(api.last_call().attempts == 2);
  CHECK(api.last_call().replayed); // the server's stored answer to the first attempt
  REQUIRE(observed.notices.size() == 1);
  CHECK(observed.notices.front().status == 0);
  CHECK(observed.notices.front().idempotency_key == key);
  // Both attempts went through the proxy with the one key.
  CHECK(proxy.count_in_client_bytes("Idempotency-Key: " + key + "\r\n") == 2);

  auto direct = client_for(server, acme_key);
  CHECK(direct.get_account(payer.account.id).balance == 7'500);
  CHECK(direct.get_account(payee.account.id).balance == 2'500);
  auto transfers = direct.list_transfers(payee.account.id);
  REQUIRE(transfers.data.size() == 1);
  CHECK(transfers.data.front().id == paid.id);
}

TEST_CASE("every call gets a new key", "[client][retries][idempotency]") {
  auto api = client_for(shared_server(), acme_key);
  auto first = api.create_user({"One", "one@example.com"});
  const auto first_key = api.last_call().idempotency_key;
  api.create_user({"Two", "two@example.com"});
  const auto second_key = api.last_call().idempotency_key;
  CHECK(first_key != second_key);
  CHECK(first_key.size() <= 255);
  CHECK(first_key.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") == std::string::npos);
  CHECK(first.id.rfind("usr_", 0) == 0);
}

TEST_CASE("503 with Retry-After is retried after the time it names, with the same key",
          "[client][retries]") {
  auto& server = shared_server();
  fault_proxy proxy(server.port());
  observed_client observed(options_for(proxy.base_url(), acme_key));
  auto& api = observed.api;
  auto payer = make_funded_account(api, 10'000);
  auto payee = make_funded_account(api, 0);

  proxy.answer_next_requests_with(2, canned_unavailable("1"));
  const auto started = std::chrono::steady_clock::now();
  api.create_transfer({payer.account.id, payee.account.id, 1'000, "USD", {}});
  const auto elapsed = std::chrono::steady_clock::now() - started;

  CHECK(api.last_call().attempts == 3);
  CHECK(api.last_call().status == 201);
  REQUIRE(observed.notices.size() == 2);
  for (const auto& notice : observed.notices) {
    CHECK(notice.status == 503);
    CHECK(notice.reason == "unavailable");
    CHECK(notice.wait == std::chrono::seconds(1));
  }
  CHECK(elapsed >= std::chrono::seconds(2));
  CHECK(proxy.count_in_client_bytes("Idempotency-Key: " + api.last_call().idempotency_key + "\r\n") == 3);
  CHECK(api.get_account(payee.account.id).balance == 1'000);
}

TEST_CASE("a Retry-After beyond max_wait is waited for max_wait only", "[client][retries]") {
  auto& server = shared_server();
  fault_proxy proxy(server.port());
  auto options = options_for(proxy.base_url(), acme_key);
  options.retry.max_wait = std::chrono::milliseconds(300);
  observed_client observed(options);

  proxy.answer_next_requests_with(1, canned_unavailable("3600"));
  const auto started = std::chrono::steady_clock::now();
  auto created = observed.api.create_user({"Patient", "patient@example.com"});
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(5));
  REQUIRE(observed.notices.size() == 1);
  CHECK(observed.notices.front().wait == std::chrono::milliseconds(300));
  CHECK(created.id.rfind("usr_", 0) == 0);
}

TEST_CASE("the server's 429 rate_limited is retried after Retry-After", "[client][retries][rate_limit]") {
  test_server server({"--auth.rate-limit=1"});
  observed_client observed(options_for(base_url_of(server), acme_key));
  std::vector<std::string> created;
  for (int call = 0; call < 3; ++call) {
    created.push_back(observed.api.create_user({"Limited", "limited@example.com"}).id);
  }
  // One request per second: the second and third calls met the limit at least once.
  REQUIRE(observed.notices.size() >= 2);
  for (const auto& notice : observed.notices) {
    CHECK(notice.status == 429);
    CHECK(notice.reason == "rate_limited");
    CHECK(notice.wait >= std::chrono::seconds(1));
  }
  // Applied once each: a 429 is not stored and not applied.
  std::this_thread::sleep_for(std::chrono::seconds(1));
  auto listed = observed.api.list_users({100, std::nullopt});
  CHECK(listed.data.size() == 3);


  // With retrying off, the same limit surfaces as an api_error.
  auto options = options_for(base_url_of(server), acme_key);
  options.retry.max_attempts = 1;
  client::api_client impatient(options);
  bool limited = false;
  for (int call = 0; call < 3 && !limited; ++call) {
    try {
      impatient.create_user({"Impatient", "impatient@example.com"});
    } catch (const client::api_error& refused) {
      CHECK(refused.status() == 429);
      CHECK(refused.code() == "rate_limited");
      limited = true;
    }
  }
  CHECK(limited);
}

TEST_CASE("a server that cannot be reached is tried max_attempts times", "[client][retries]") {
  auto options = options_for("http://127.0.0.1:" + std::to_string(integration::free_loopback_port()), acme_key);
  options.retry.max_attempts = 3;
  options.retry.first_backoff = std::chrono::milliseconds(10);
  observed_client observed(options);
  CHECK_THROWS_AS(observed.api.create_user({"Nobody", "nobody@example.com"}), client::connection_error);
  CHECK(observed.api.last_call().attempts == 3);
  REQUIRE(observed.notices.size() == 2);
  CHECK(observed.notices[0].wait == std::chrono::milliseconds(10));
  CHECK(observed.notices[1].wait == std::chrono::milliseconds(20));
  CHECK(observed.notices[0].idempotency_key == observed.notices[1].idempotency_key);
}

} // namespace settle::client_tests
