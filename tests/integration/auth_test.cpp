// Authentication and tenancy: keys, the 404 that hides another tenant's objects, the one
// exception (paying into another tenant's account), admin-only endpoints, and the admin's
// view of everything including the world accounts.
#include "tests/integration/harness/testing.hpp"

#include <algorithm>

using namespace settle::integration;
namespace json = boost::json;

namespace {

// Objects of tenant acme that globex must not see.
struct acme_objects {
  std::string user_id;
  std::string account_id;
  std::string transfer_id;
};

acme_objects make_acme_objects(api_client& acme) {
  acme_objects objects;
  objects.user_id = string_field(create_user(acme), "id");
  objects.account_id = string_field(create_account(acme, objects.user_id), "id");
  deposit(acme, objects.account_id, 1000);
  const auto other = new_account(acme);
  const auto response = post_transfer(acme, objects.account_id, other, 100);
  REQUIRE_STATUS(response, 201);
  objects.transfer_id = string_field(json_object(response), "id");
  return objects;
}

}  // namespace

TEST_CASE("requests without a known key are 401 unauthenticated", "[auth]") {
  auto& server = shared_server();
  const auto user_id = string_field(create_user(server.acme()), "id");
  auto& anonymous = server.anonymous();
  CHECK_ERROR(anonymous.get("/v1/users"), 401, "unauthenticated", any_param);
  CHECK_ERROR(anonymous.get("/v1/users/" + user_id), 401, "unauthenticated", any_param);
  CHECK_ERROR(anonymous.post("/v1/users", json::object{{"name", "Ada"}, {"email", unique_email()}}), 401,
              "unauthenticated", any_param);
  CHECK_ERROR(anonymous.get("/v1/audit"), 401, "unauthenticated", any_param);

  api_client stranger(server.port(), "sk_test_not_in_the_keys_file");
  CHECK_ERROR(stranger.get("/v1/users/" + user_id), 401, "unauthenticated", any_param);
  const auto with_authorization = [&anonymous, &user_id](const std::string& value) {
    return anonymous.send("GET", "/v1/users/" + user_id, "", {{"Authorization", value}});
  };
  CHECK_ERROR(with_authorization("Basic " + acme_key), 401, "unauthenticated", any_param);
  CHECK_ERROR(with_authorization(acme_key), 401, "unauthenticated", any_param);
  CHECK_ERROR(with_authorization("Bearer "), 401, "unauthenticated", any_param);
  CHECK_ERROR(with_authorization("Bearer " + acme_key + "x"), 401, "unauthenticated", any_param);
  CHECK_STATUS(with_authorization("Bearer " + acme_key), 200);
}

TEST_CASE("another tenant's objects answer 404 not_found", "[auth][tenancy]") {
  auto& server = shared_server();
  const auto acme = make_acme_objects(server.acme());
  auto& globex = server.globex();
  const auto user_path = "/v1/users/" + acme.user_id;
  const auto account_path = "/v1/accounts/" + acme.account_id;

  CHECK_ERROR(globex.get(user_path), 404, "not_found", any_param);
  CHECK_ERROR(globex.put(user_path, json::object{{"name", "Mallory"}}), 404, "not_found", any_param);
  CHECK_ERROR(globex.remove(user_path), 404, "not_found", any_param);
  CHECK_ERROR(globex.get(account_path), 404, "not_found", any_param);
  CHECK_ERROR(globex.get(account_path + "/entries"), 404, "not_found", any_param);
  CHECK_ERROR(globex.remove(account_path), 404, "not_found", any_param);
  CHECK_ERROR(globex.get("/v1/transfers/" + acme.transfer_id), 404, "not_found", any_param);
  CHECK_ERROR(globex.get("/v1/accounts?user_id=" + acme.user_id), 404, "not_found", any_param);
  CHECK_ERROR(globex.get("/v1/transfers?account=" + acme.account_id), 404, "not_found", any_param);
  CHECK_ERROR(globex.post(account_path + "/deposits", json::object{{"amount", 10}}), 404, "not_found", any_param);
  CHECK_ERROR(globex.post(account_path + "/withdrawals", json::object{{"amount", 10}}), 404, "not_found", any_param);
  CHECK_ERROR(globex.post("/v1/accounts", json::object{{"user_id", acme.user_id}, {"currency", "USD"}}), 404,
              "not_found", param("user_id"));

  const auto globex_users = list_all(globex, "/v1/users");
  for (const auto& id : ids_of(globex_users)) {
    CHECK(id != acme.user_id);
  }
  // Nothing globex tried changed acme's objects.
  auto& acme_client = server.acme();
  CHECK(string_field(get_object(acme_client, user_path), "name") == "Ada Lovelace");
  CHECK(balance_of(acme_client, acme.account_id) == 900);
  CHECK(string_field(get_object(acme_client, account_path), "status") == "open");
}

TEST_CASE("a tenant may pay into another tenant's account without seeing it", "[auth][tenancy]") {
  auto& server = shared_server();
  auto& acme = server.acme();
  auto& globex = server.globex();
  const auto merchant = funded_account(acme, 1000);
  const auto customer = funded_account(globex, 1000);

  const auto response = post_transfer(globex, customer, merchant, 250);
  REQUIRE_STATUS(response, 201);
  const auto transfer = json_object(response);
  CHECK(string_field(transfer, "to_account") == merchant);
  CHECK_FALSE(transfer.contains("balance"));
  CHECK(get_object(globex, "/v1/transfers/" + string_field(transfer, "id")) == transfer);
  CHECK(balance_of(globex, customer) == 750);
  CHECK(balance_of(acme, merchant) == 1250);
  CHECK_ERROR(globex.get("/v1/accounts/" + merchant), 404, "not_found", any_param);

  // Only as the receiving side: taking money out of it is as if it did not exist.
  CHECK_ERROR(post_transfer(globex, merchant, customer, 10), 404, "not_found", param("from_account"));
  CHECK(balance_of(acme, merchant) == 1250);
}

TEST_CASE("tenant keys are refused on admin-only endpoints", "[auth]") {
  auto& server = shared_server();
  CHECK_ERROR(server.acme().get("/v1/audit"), 403, "forbidden", any_param);
  CHECK_ERROR(server.globex().get("/v1/cluster"), 403, "forbidden", any_param);
  CHECK_STATUS(server.admin().get("/v1/audit"), 200);
  CHECK_STATUS(server.admin().get("/v1/cluster"), 200);
}

TEST_CASE("an admin key sees every tenant's objects and the world accounts", "[auth]") {
  auto& server = shared_server();
  auto& admin = server.admin();
  const auto acme = make_acme_objects(server.acme());
  const auto globex_account = funded_account(server.globex(), 10);
  CHECK(get_object(admin, "/v1/users/" + acme.user_id) == get_object(server.acme(), "/v1/users/" + acme.user_id));
  CHECK(integer_field(get_object(admin, "/v1/accounts/" + acme.account_id), "balance") == 900);
  CHECK(integer_field(get_object(admin, "/v1/accounts/" + globex_account), "balance") == 10);
  CHECK_STATUS(admin.get("/v1/transfers/" + acme.transfer_id), 200);

  const auto world = get_object(admin, "/v1/accounts/acc_world_USD");
  CHECK(string_field(world, "currency") == "USD");
  CHECK(integer_field(world, "balance") < 0);
  CHECK_ERROR(server.acme().get("/v1/accounts/acc_world_USD"), 404, "not_found", any_param);
}

TEST_CASE("the audit finds every currency balanced", "[auth][audit]") {
  auto& server = shared_server();
  funded_account(server.acme(), 777, "GBP");
  funded_account(server.globex(), 5, "JPY");
  const auto response = server.admin().get("/v1/audit");
  REQUIRE_STATUS(response, 200);
  const auto report = json_object(response);
  CHECK(keys_of(report) == key_set({"ok", "currencies", "mismatched_accounts"}));
  CHECK(report.at("ok") == true);
  CHECK(report.at("mismatched_accounts") == json::array{});
  std::vector<std::string> currencies;
  for (const auto& element : report.at("currencies").as_array()) {
    const auto& currency = element.as_object();
    CHECK(keys_of(currency) == key_set({"currency", "sum_of_balances", "accounts", "entries"}));
    CHECK(integer_field(currency, "sum_of_balances") == 0);
    // Every currency has its world account; every transfer writes two entries; a
    // currency may have accounts and no movement yet (when this test runs alone, only
    // the world account).
    CHECK(integer_field(currency, "accounts") >= 1);
    CHECK(integer_field(currency, "entries") % 2 == 0);
    if (string_field(currency, "currency") == "GBP" || string_field(currency, "currency") == "JPY") {
      CHECK(integer_field(currency, "accounts") >= 2);
      CHECK(integer_field(currency, "entries") >= 2);
    }
    currencies.push_back(string_field(currency, "currency"));
  }
  CHECK(std::count(currencies.begin(), currencies.end(), "GBP") == 1);
  CHECK(std::count(currencies.begin(), currencies.end(), "JPY") == 1);
}
