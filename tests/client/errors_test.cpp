// Failures surface as api_error carrying the contract's status, code, message and param.
#include "tests/client/client_testing.hpp"

namespace settle::client_tests {

namespace {

// The api_error `call` throws; fails the test when it throws nothing or something else.
template <class Call>
client::api_error api_error_of(Call call) {
  try {
    call();
  } catch (const client::api_error& refused) {
    return refused;
  }
  FAIL("the call succeeded; an api_error was expected");
  throw std::logic_error("unreachable");
}

} // namespace

TEST_CASE("an overdraft is 402 insufficient_funds and moves nothing", "[client][errors]") {
  auto api = client_for(shared_server(), acme_key);
  auto payer = make_funded_account(api, 1'000);
  auto payee = make_funded_account(api, 0);
  auto refused = api_error_of([&] { api.create_transfer({payer.account.id, payee.account.id, 1'001, "USD", {}}); });
  CHECK(refused.status() == 402);
  CHECK(refused.code() == "insufficient_funds");
  CHECK_FALSE(refused.message().empty());
  CHECK(api.last_call().attempts == 1); // not retried
  CHECK(api.get_account(payer.account.id).balance == 1'000);
}

TEST_CASE("an unknown id is 404 not_found", "[client][errors]") {
  auto api = client_for(shared_server(), acme_key);
  auto refused = api_error_of([&] { api.get_user("usr_doesnotexist"); });
  CHECK(refused.status() == 404);
  CHECK(refused.code() == "not_found");
  CHECK(refused.type() == "invalid_request_error");
}

TEST_CASE("another tenant's account is 404 not_found", "[client][errors]") {
  auto acme = client_for(shared_server(), acme_key);
  auto globex = client_for(shared_server(), globex_key);
  auto account = make_funded_account(acme, 100).account;
  CHECK(api_error_of([&] { globex.get_account(account.id); }).status() == 404);
}

TEST_CASE("an invalid amount is 422 invalid_parameter naming the param", "[client][errors]") {
  auto api = client_for(shared_server(), acme_key);
  auto account = make_funded_account(api, 0).account;
  auto refused = api_error_of([&] { api.deposit(account.id, 0); });
  CHECK(refused.status() == 422);
  CHECK(refused.code() == "invalid_parameter");
  REQUIRE(refused.param().has_value());
  CHECK(*refused.param() == "amount");
}

TEST_CASE("capturing an order that is not authorized is 409 invalid_state", "[client][errors]") {
  auto api = client_for(shared_server(), acme_key);
  auto payer = make_funded_account(api, 1'000);
  auto payee = make_funded_account(api, 0);
  auto order = api.create_order({payer.account.id, payee.account.id, 100, "USD", "manual", {}, {}});
  auto refused = api_error_of([&] { api.capture_order(order.id); });
  CHECK(refused.status() == 409);
  CHECK(refused.code() == "invalid_state");
  CHECK_FALSE(refused.param().has_value());
}

TEST_CASE("an unknown key is 401 unauthenticated, on calls and on the stream", "[client][errors]") {
  auto api = client_for(shared_server(), "sk_test_nobody");
  auto refused = api_error_of([&] { api.list_users(); });
  CHECK(refused.status() == 401);
  CHECK(refused.code() == "unauthenticated");
  auto stream_refused = api_error_of([&] { api.subscribe(); });
  CHECK(stream_refused.status() == 401);
}

TEST_CASE("a base URL the client cannot use is refused at construction", "[client][errors]") {
  CHECK_THROWS_AS(client::api_client(options_for("https://127.0.0.1:1", acme_key)), std::invalid_argument);
  CHECK_THROWS_AS(client::api_client(options_for("ftp://127.0.0.1:1", acme_key)), std::invalid_argument);
}

} // namespace settle::client_tests
