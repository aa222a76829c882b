// Idempotency keys: replays of stored answers, reuse with another request, which answers
// are stored (2xx, 402, 409) and which are not (400, 422), key validation, tenant scope,
// replays across a clean restart and a kill -9, and one key sent by 20 clients at once.
#include "tests/integration/harness/concurrency.hpp"
#include "tests/integration/harness/stop_each_way.hpp"
#include "tests/integration/harness/testing.hpp"

#include <memory>
#include <mutex>

using namespace settle::integration;
namespace json = boost::json;

namespace {

header_list with_key(const std::string& key) { return {{"Idempotency-Key", key}}; }

std::string fresh_key() { return "key-" + unique_email(); }

bool is_replay(const http_response& response) {
  return response.header("Idempotent-Replayed").value_or("") == "true";
}

http_response post_deposit(api_client& client, const std::string& account_id, const json::value& amount,
                           const std::string& key) {
  return client.post("/v1/accounts/" + account_id + "/deposits", json::object{{"amount", amount}}, with_key(key));
}

// The first answer, then its replay, which must match it exactly and say it is one.
void check_replayed(const http_response& first, const http_response& again) {
  CHECK_FALSE(is_replay(first));
  CHECK(is_replay(again));
  CHECK(again.status == first.status);
  CHECK(again.body == first.body);
}

}  // namespace

TEST_CASE("a repeated request with the same key gets the first answer again", "[idempotency]") {
  auto& client = shared_server().acme();
  const auto key = fresh_key();
  const json::object body{{"name", "Ada"}, {"email", unique_email()}};
  const auto first = client.post("/v1/users", body, with_key(key));
  REQUIRE_STATUS(first, 201);
  const auto again = client.post("/v1/users", body, with_key(key));
  check_replayed(first, again);
  CHECK(get_list(client, "/v1/users?limit=1").data.at(0) == json_object(first));
}

TEST_CASE("a replayed deposit moves the money once", "[idempotency][money]") {
  auto& client = shared_server().acme();
  const auto account_id = new_account(client);
  const auto key = fresh_key();
  const auto first = post_deposit(client, account_id, 500, key);
  REQUIRE_STATUS(first, 201);
  for (int attempt = 0; attempt < 3; ++attempt) {
    check_replayed(first, post_deposit(client, account_id, 500, key));
  }
  CHECK(balance_of(client, account_id) == 500);
  CHECK(list_all(client, "/v1/accounts/" + account_id + "/entries").size() == 1);
  // Without a key nothing is deduplicated.
  CHECK_STATUS(client.post("/v1/accounts/" + account_id + "/deposits", json::object{{"amount", 500}}), 201);
  CHECK_STATUS(client.post("/v1/accounts/" + account_id + "/deposits", json::object{{"amount", 500}}), 201);
  CHECK(balance_of(client, account_id) == 1500);
}

TEST_CASE("the same key with another request is 422 idempotency_key_reused", "[idempotency]") {
  auto& client = shared_server().acme();
  const auto account_id = new_account(client);
  const auto other_id = new_account(client);
  const auto key = fresh_key();
  REQUIRE_STATUS(post_deposit(client, account_id, 500, key), 201);
  CHECK_ERROR(post_deposit(client, account_id, 501, key), 422, "idempotency_key_reused", any_param);
  CHECK_ERROR(post_deposit(client, other_id, 500, key), 422, "idempotency_key_reused", any_param);
  // The same JSON written with other bytes is another request.
  CHECK_ERROR(client.post_text("/v1/accounts/" + account_id + "/deposits", "{ \"amount\": 500 }", with_key(key)),
              422, "idempotency_key_reused", any_param);
  CHECK(balance_of(client, account_id) == 500);
  CHECK(balance_of(client, other_id) == 0);
}

TEST_CASE("idempotency keys are scoped to the tenant", "[idempotency][tenancy]") {
  auto& server = shared_server();
  const auto key = fresh_key();
  const std::string body = "{\"name\":\"Ada\",\"email\":\"" + unique_email() + "\"}";
  const auto for_acme = server.acme().post_text("/v1/users", body, with_key(key));
  REQUIRE_STATUS(for_acme, 201);
  const auto for_globex = server.globex().post_text("/v1/users", body, with_key(key));
  REQUIRE_STATUS(for_globex, 201);
  CHECK_FALSE(is_replay(for_globex));
  CHECK(string_field(json_object(for_globex), "id") != string_field(json_object(for_acme), "id"));
  CHECK_STATUS(server.globex().get("/v1/users/" + string_field(json_object(for_globex), "id")), 200);
}

TEST_CASE("a malformed idempotency key is 400 invalid_idempotency_key", "[idempotency][validation]") {
  auto& client = shared_server().acme();
  const auto account_id = new_account(client);
  for (const std::string& key : {std::string(), std::string(256, 'k'), std::string("cl\xC3\xA9")}) {
    INFO("key of " << key.size() << " bytes");
    CHECK_ERROR(post_deposit(client, account_id, 10, key), 400, "invalid_idempotency_key", any_param);
  }
  CHECK(balance_of(client, account_id) == 0);
  // 255 characters, and printable ASCII beyond letters and digits, are fine.
  CHECK_STATUS(post_deposit(client, account_id, 10, fresh_key().substr(0, 8) + std::string(247, 'k')), 201);
  CHECK_STATUS(post_deposit(client, account_id, 10, fresh_key() + " !~{}"), 201);
  CHECK(balance_of(client, account_id) == 20);
}

TEST_CASE("a 402 answer is stored and replayed", "[idempotency][money]") {
  auto& client = shared_server().acme();
  const auto account_id = new_account(client);
  const auto key = fresh_key();
  const auto target = "/v1/accounts/" + account_id + "/withdrawals";
  const auto first = client.post(target, json::object{{"amount", 100}}, with_key(key));
  CHECK_ERROR(first, 402, "insufficient_funds", any_param);
  deposit(client, account_id, 1000);
  // The money is there now, but the key's answer was the refusal: it stays refused.
  const auto again = client.post(target, json::object{{"amount", 100}}, with_key(key));
  check_replayed(first, again);
  CHECK(balance_of(client, account_id) == 1000);
}

TEST_CASE("a 409 answer is stored and replayed", "[idempotency]") {
  auto& client = shared_server().acme();
  const auto account_id = new_account(client);
  REQUIRE_STATUS(client.remove("/v1/accounts/" + account_id), 200);
  const auto key = fresh_key();
  const auto first = post_deposit(client, account_id, 10, key);
  CHECK_ERROR(first, 409, "account_closed", any_param);
  check_replayed(first, post_deposit(client, account_id, 10, key));
}

TEST_CASE("400 and 422 answers are not stored so the client may correct and retry", "[idempotency]") {
  auto& client = shared_server().acme();
  const auto account_id = new_account(client);
  const auto target = "/v1/accounts/" + account_id + "/deposits";
  const auto key = fresh_key();
  CHECK_ERROR(post_deposit(client, account_id, 0, key), 422, "invalid_parameter", param("amount"));
  CHECK_ERROR(client.post_text(target, "{\"amount\": ", with_key(key)), 400, "malformed_json", no_param);
  const auto corrected = post_deposit(client, account_id, 250, key);
  REQUIRE_STATUS(corrected, 201);
  CHECK_FALSE(is_replay(corrected));
  check_replayed(corrected, post_deposit(client, account_id, 250, key));
  CHECK(balance_of(client, account_id) == 250);
}

TEST_CASE("answers are replayed after a restart", "[idempotency][restart][slow]") {
  test_server server;
  const auto account_id = new_account(server.acme());
  const auto user_key = fresh_key();
  const auto deposit_key = fresh_key();
  const json::object user_body{{"name", "Ada"}, {"email", unique_email()}};
  const auto user = server.acme().post("/v1/users", user_body, with_key(user_key));
  REQUIRE_STATUS(user, 201);
  const auto deposited = post_deposit(server.acme(), account_id, 700, deposit_key);
  REQUIRE_STATUS(deposited, 201);

  stop_each_way(server);

  server.start();
  check_replayed(user, server.acme().post("/v1/users", user_body, with_key(user_key)));
  check_replayed(deposited, post_deposit(server.acme(), account_id, 700, deposit_key));
  CHECK(balance_of(server.acme(), account_id) == 700);
  CHECK_ERROR(post_deposit(server.acme(), account_id, 701, deposit_key), 422, "idempotency_key_reused", any_param);
}

TEST_CASE("one key sent by 20 clients at once moves the money once", "[idempotency][concurrency]") {
  auto& server = shared_server();
  const auto account_id = new_account(server.acme());
  const auto key = fresh_key();
  constexpr std::size_t clients = 20;
  std::vector<std::unique_ptr<api_client>> connections;
  for (std::size_t index = 0; index < clients; ++index) {
    connections.push_back(server.new_client(acme_key));
    REQUIRE_STATUS(connections.back()->get("/healthz"), 200);  // connected before the start
  }
  std::vector<http_response> answers(clients);
  run_concurrently(clients, [&](std::size_t index) {
    answers[index] = post_deposit(*connections[index], account_id, 100, key);
  });

  std::vector<std::string> transfer_bodies;
  std::size_t originals = 0;
  for (const auto& answer : answers) {
    if (answer.status == 201) {
      transfer_bodies.push_back(answer.body);
      originals += is_replay(answer) ? 0 : 1;
    } else {
      CHECK_ERROR(answer, 409, "idempotency_key_in_use", any_param);
    }
  }
  CHECK(originals == 1);
  REQUIRE_FALSE(transfer_bodies.empty());
  for (const auto& body : transfer_bodies) {
    CHECK(body == transfer_bodies.front());
  }
  CHECK(balance_of(server.acme(), account_id) == 100);
  CHECK(list_all(server.acme(), "/v1/accounts/" + account_id + "/entries").size() == 1);
  // After the dust settles the key replays the one deposit.
  const auto later = post_deposit(server.acme(), account_id, 100, key);
  CHECK(is_replay(later));
  CHECK(later.body == transfer_bodies.front());
}
