// Accounts: creation and its validation, reading and listing, deposits and withdrawals
// (which are transfers), overdraft, the ledger entries, closing, the amount rules shared by
// every money field, and each tenant's share of the world account.
#include "tests/integration/harness/stop_each_way.hpp"
#include "tests/integration/harness/testing.hpp"

using namespace settle::integration;
namespace json = boost::json;

namespace {

const auto account_keys = key_set({"id", "object", "user_id", "currency", "balance", "held", "available",
                                   "overdraft_limit", "status", "created_at"});
const auto transfer_keys = key_set({"id", "object", "kind", "from_account", "to_account", "order_id", "amount",
                                    "currency", "description", "status", "created_at", "settled_at"});
const auto entry_keys = key_set({"id", "object", "account_id", "transfer_id", "order_id", "kind", "amount",
                                 "balance_after", "created_at"});

constexpr std::int64_t largest_amount = 1'000'000'000'000'000;  // 10^15

http_response post_amount(api_client& client, const std::string& target, const json::value& amount) {
  return client.post(target, json::object{{"amount", amount}});
}

void check_movement(const json::object& transfer, const std::string& kind, const std::string& from,
                    const std::string& to, std::int64_t amount) {
  CHECK(keys_of(transfer) == transfer_keys);
  CHECK(string_field(transfer, "id").rfind("trf_", 0) == 0);
  CHECK(string_field(transfer, "object") == "transfer");
  CHECK(string_field(transfer, "kind") == kind);
  CHECK(string_field(transfer, "from_account") == from);
  CHECK(string_field(transfer, "to_account") == to);
  CHECK(is_null_field(transfer, "order_id"));
  CHECK(integer_field(transfer, "amount") == amount);
  CHECK(string_field(transfer, "currency") == "USD");
  CHECK(string_field(transfer, "status") == "settled");
  CHECK(is_utc_timestamp_with_milliseconds(string_field(transfer, "created_at")));
  CHECK(is_utc_timestamp_with_milliseconds(string_field(transfer, "settled_at")));
}

}  // namespace

TEST_CASE("creating an account answers 201 with an empty open account", "[accounts]") {
  auto& client = shared_server().acme();
  const auto user_id = string_field(create_user(client), "id");
  const auto response = client.post("/v1/accounts", json::object{{"user_id", user_id}, {"currency", "USD"}});
  REQUIRE_STATUS(response, 201);
  const auto account = json_object(response);
  CHECK(keys_of(account) == account_keys);
  CHECK(string_field(account, "id").rfind("acc_", 0) == 0);
  CHECK(string_field(account, "id").size() <= 64);
  CHECK(string_field(account, "object") == "account");
  CHECK(string_field(account, "user_id") == user_id);
  CHECK(string_field(account, "currency") == "USD");
  CHECK(integer_field(account, "balance") == 0);
  CHECK(integer_field(account, "held") == 0);
  CHECK(integer_field(account, "available") == 0);
  CHECK(integer_field(account, "overdraft_limit") == 0);
  CHECK(string_field(account, "status") == "open");
  CHECK(is_recent_timestamp(string_field(account, "created_at")));
  CHECK(get_object(client, account_path(string_field(account, "id"))) == account);
}

TEST_CASE("an overdraft limit is available money", "[accounts]") {
  auto& client = shared_server().acme();
  const auto user_id = string_field(create_user(client), "id");
  const auto account = create_account(client, user_id, "EUR", 500);
  CHECK(integer_field(account, "overdraft_limit") == 500);
  CHECK(integer_field(account, "available") == 500);
  CHECK(integer_field(account, "balance") == 0);
  CHECK(integer_field(create_account(client, user_id, "EUR", largest_amount), "overdraft_limit") == largest_amount);
}

TEST_CASE("every default currency is supported and nothing else", "[accounts][validation]") {
  auto& client = shared_server().acme();
  const auto user_id = string_field(create_user(client), "id");
  for (const std::string currency : {"USD", "EUR", "GBP", "JPY", "CNY", "CHF", "BHD"}) {
    INFO("currency " << currency);
    CHECK(string_field(create_account(client, user_id, currency), "currency") == currency);
  }
  for (const std::string currency : {"XYZ", "usd", "US", "USDD", ""}) {
    INFO("currency \"" << currency << "\"");
    const json::object body{{"user_id", user_id}, {"currency", currency}};
    CHECK_ERROR(client.post("/v1/accounts", body), 422, "unsupported_currency", param("currency"));
  }
}

TEST_CASE("account creation names the field it refuses", "[accounts][validation]") {
  auto& client = shared_server().acme();
  const auto user_id = string_field(create_user(client), "id");
  const auto post = [&client](json::object body) { return client.post("/v1/accounts", body); };
  CHECK_ERROR(post({{"user_id", "usr_doesnotexist"}, {"currency", "USD"}}), 404, "not_found", param("user_id"));
  CHECK_ERROR(post({{"currency", "USD"}}), 422, "missing_parameter", param("user_id"));
  CHECK_ERROR(post({{"user_id", user_id}}), 422, "missing_parameter", param("currency"));
  CHECK_ERROR(post({{"user_id", user_id}, {"currency", "USD"}, {"colour", "red"}}), 422, "unknown_parameter",
              param("colour"));
  for (const json::value& limit : {json::value(-1), json::value(largest_amount + 1), json::value(1.5),
                                  json::value("10")}) {
    INFO("overdraft_limit " << json::serialize(limit));
    CHECK_ERROR(post({{"user_id", user_id}, {"currency", "USD"}, {"overdraft_limit", limit}}), 422,
                "invalid_parameter", param("overdraft_limit"));
  }
  CHECK_ERROR(client.get("/v1/accounts/acc_doesnotexist"), 404, "not_found", any_param);
}

TEST_CASE("accounts are listed by user newest first", "[accounts][lists]") {
  auto& client = shared_server().acme();
  const auto user_id = string_field(create_user(client), "id");
  const auto other_user_id = string_field(create_user(client), "id");
  std::vector<std::string> newest_first;
  for (const std::string currency : {"USD", "EUR", "USD", "JPY"}) {
    newest_first.insert(newest_first.begin(), string_field(create_account(client, user_id, currency), "id"));
    create_account(client, other_user_id, currency);
  }
  const auto page = get_list(client, "/v1/accounts?user_id=" + user_id);
  CHECK(ids_of(page.data) == newest_first);
  CHECK_FALSE(page.has_more);
  for (const auto& account : page.data) {
    CHECK(keys_of(account) == account_keys);
  }
  const auto first_two = get_list(client, "/v1/accounts?user_id=" + user_id + "&limit=2");
  CHECK(ids_of(first_two.data) == std::vector<std::string>(newest_first.begin(), newest_first.begin() + 2));
  CHECK(first_two.has_more);
  CHECK_ERROR(client.get("/v1/accounts?user_id=usr_doesnotexist"), 404, "not_found", any_param);
}

TEST_CASE("a deposit is a transfer from the currency's world account", "[accounts][money]") {
  auto& client = shared_server().acme();
  const auto account_id = new_account(client);
  const auto response = post_amount(client, account_path(account_id) + "/deposits", 1000);
  REQUIRE_STATUS(response, 201);
  const auto transfer = json_object(response);
  check_movement(transfer, "deposit", "acc_world_USD", account_id, 1000);
  CHECK(get_object(client, "/v1/transfers/" + string_field(transfer, "id")) == transfer);
  const auto account = get_object(client, account_path(account_id));
  CHECK(integer_field(account, "balance") == 1000);
  CHECK(integer_field(account, "available") == 1000);
}

TEST_CASE("a withdrawal is a transfer to the world account and needs the money", "[accounts][money]") {
  auto& client = shared_server().acme();
  const auto account_id = funded_account(client, 1000);
  const auto response = post_amount(client, account_path(account_id) + "/withdrawals", 400);
  REQUIRE_STATUS(response, 201);
  check_movement(json_object(response), "withdrawal", account_id, "acc_world_USD", 400);
  CHECK(balance_of(client, account_id) == 600);

  CHECK_ERROR(post_amount(client, account_path(account_id) + "/withdrawals", 601), 402, "insufficient_funds",
              any_param);
  CHECK(balance_of(client, account_id) == 600);
  CHECK_STATUS(post_amount(client, account_path(account_id) + "/withdrawals", 600), 201);
  CHECK(balance_of(client, account_id) == 0);
}

TEST_CASE("an overdraft lets the balance go negative down to the limit", "[accounts][money]") {
  auto& client = shared_server().acme();
  const auto account_id = new_account(client, "USD", 500);
  deposit(client, account_id, 100);
  CHECK_STATUS(post_amount(client, account_path(account_id) + "/withdrawals", 600), 201);
  const auto account = get_object(client, account_path(account_id));
  CHECK(integer_field(account, "balance") == -500);
  CHECK(integer_field(account, "available") == 0);
  CHECK_ERROR(post_amount(client, account_path(account_id) + "/withdrawals", 1), 402, "insufficient_funds",
              any_param);
  CHECK(balance_of(client, account_id) == -500);
}

TEST_CASE("the entries of an account are signed and newest first with running balances", "[accounts][ledger]") {
  auto& client = shared_server().acme();
  const auto account_id = new_account(client);
  const auto deposited = deposit(client, account_id, 1000);
  const auto withdrawn = withdraw(client, account_id, 300);

  const auto page = get_list(client, account_path(account_id) + "/entries");
  REQUIRE(page.data.size() == 2);
  CHECK_FALSE(page.has_more);
  const auto& newest = page.data[0];
  const auto& oldest = page.data[1];
  for (const auto& entry : page.data) {
    CHECK(keys_of(entry) == entry_keys);
    CHECK(string_field(entry, "id").rfind("ent_", 0) == 0);
    CHECK(string_field(entry, "object") == "entry");
    CHECK(string_field(entry, "account_id") == account_id);
    CHECK(is_null_field(entry, "order_id"));
    CHECK(is_utc_timestamp_with_milliseconds(string_field(entry, "created_at")));
  }
  CHECK(string_field(newest, "kind") == "withdrawal");
  CHECK(integer_field(newest, "amount") == -300);
  CHECK(integer_field(newest, "balance_after") == 700);
  CHECK(string_field(newest, "transfer_id") == string_field(withdrawn, "id"));
  CHECK(string_field(oldest, "kind") == "deposit");
  CHECK(integer_field(oldest, "amount") == 1000);
  CHECK(integer_field(oldest, "balance_after") == 1000);
  CHECK(string_field(oldest, "transfer_id") == string_field(deposited, "id"));

  const auto limited = get_list(client, account_path(account_id) + "/entries?limit=1");
  CHECK(ids_of(limited.data) == std::vector<std::string>{string_field(newest, "id")});
  CHECK(limited.has_more);
}

TEST_CASE("an account closes only when empty and then refuses every movement", "[accounts][money]") {
  auto& client = shared_server().acme();
  const auto account_id = funded_account(client, 100);
  const auto other_id = funded_account(client, 100);
  CHECK_ERROR(client.remove(account_path(account_id)), 409, "account_not_empty", any_param);
  CHECK(string_field(get_object(client, account_path(account_id)), "status") == "open");

  withdraw(client, account_id, 100);
  const auto response = client.remove(account_path(account_id));
  REQUIRE_STATUS(response, 200);
  const auto closed = json_object(response);
  CHECK(keys_of(closed) == account_keys);
  CHECK(string_field(closed, "status") == "closed");
  CHECK(integer_field(closed, "balance") == 0);
  CHECK(get_object(client, account_path(account_id)) == closed);

  CHECK_ERROR(post_amount(client, account_path(account_id) + "/deposits", 10), 409, "account_closed", any_param);
  CHECK_ERROR(post_amount(client, account_path(account_id) + "/withdrawals", 10), 409, "account_closed", any_param);
  CHECK_ERROR(post_transfer(client, other_id, account_id, 10), 409, "account_closed", any_param);
  CHECK_ERROR(post_transfer(client, account_id, other_id, 10), 409, "account_closed", any_param);
  CHECK(balance_of(client, other_id) == 100);
  CHECK(balance_of(client, account_id) == 0);
}

TEST_CASE("amounts are integers from 1 to 10^15", "[accounts][money][validation]") {
  auto& client = shared_server().acme();
  const auto account_id = funded_account(client, 1000);
  for (const auto* movement : {"/deposits", "/withdrawals"}) {
    const auto target = account_path(account_id) + movement;
    for (const json::value& amount : {json::value(0), json::value(-5), json::value(1.5), json::value(10.0),
                                     json::value("10"), json::value(true), json::value(nullptr),
                                     json::value(largest_amount + 1)}) {
      INFO(target << " amount " << json::serialize(amount));
      CHECK_ERROR(post_amount(client, target, amount), 422, "invalid_parameter", param("amount"));
    }
    CHECK_ERROR(client.post(target, json::object{}), 422, "missing_parameter", param("amount"));
    CHECK_ERROR(client.post(target, json::object{{"amount", 5}, {"memo", "x"}}), 422, "unknown_parameter",
                param("memo"));
  }
  CHECK(balance_of(client, account_id) == 1000);
  CHECK_STATUS(post_amount(client, account_path(account_id) + "/deposits", largest_amount), 201);
  CHECK_STATUS(post_amount(client, account_path(account_id) + "/withdrawals", largest_amount), 201);
  CHECK(balance_of(client, account_id) == 1000);
  CHECK_ERROR(post_amount(client, "/v1/accounts/acc_doesnotexist/deposits", 10), 404, "not_found", any_param);
}

TEST_CASE("each tenant brings in at most 10^16 net per currency through the world account",
          "[accounts][money][restart]") {
  // A server of its own: the shares count every deposit a tenant ever made.
  test_server server;
  const std::int64_t share = 10 * largest_amount;
  const auto account_id = new_account(server.acme());
  const auto deposits = account_path(account_id) + "/deposits";
  const auto withdrawals = account_path(account_id) + "/withdrawals";
  for (int deposit = 0; deposit < 9; ++deposit) {
    REQUIRE_STATUS(post_amount(server.acme(), deposits, largest_amount), 201);
  }
  // An admin's deposit into acme's account is acme's money too.
  REQUIRE_STATUS(post_amount(server.admin(), deposits, largest_amount - 1), 201);
  CHECK_STATUS(post_amount(server.acme(), deposits, 1), 201);
  CHECK_ERROR(post_amount(server.acme(), deposits, 1), 422, "amount_too_large", param("amount"));
  CHECK_ERROR(post_amount(server.admin(), deposits, 1), 422, "amount_too_large", param("amount"));
  CHECK(balance_of(server.acme(), account_id) == share);

  // Another tenant, and the same tenant in another currency, have shares of their own.
  const auto globex_id = new_account(server.globex());
  CHECK_STATUS(post_amount(server.globex(), account_path(globex_id) + "/deposits", largest_amount), 201);
  const auto euro_id = new_account(server.acme(), "EUR");
  CHECK_STATUS(post_amount(server.acme(), account_path(euro_id) + "/deposits", largest_amount), 201);

  // Money paid out makes room again.
  CHECK_STATUS(post_amount(server.acme(), withdrawals, 5), 201);
  CHECK_STATUS(post_amount(server.acme(), deposits, 5), 201);
  CHECK_ERROR(post_amount(server.acme(), deposits, 1), 422, "amount_too_large", param("amount"));
  // Paid to another tenant, the money leaves through that tenant's withdrawals: acme's
  // net deposits stay at its share, globex's go below zero.
  CHECK_STATUS(post_transfer(server.acme(), account_id, globex_id, largest_amount), 201);
  for (int withdrawal = 0; withdrawal < 2; ++withdrawal) {
    CHECK_STATUS(post_amount(server.globex(), account_path(globex_id) + "/withdrawals", largest_amount), 201);
  }
  CHECK_ERROR(post_amount(server.acme(), deposits, 1), 422, "amount_too_large", param("amount"));

  stop_each_way(server);
  server.start();

  // The shares are read back from the ledger.
  CHECK_ERROR(post_amount(server.acme(), deposits, 1), 422, "amount_too_large", param("amount"));
  CHECK_STATUS(post_amount(server.acme(), withdrawals, 3), 201);
  CHECK_STATUS(post_amount(server.acme(), deposits, 3), 201);
  CHECK_ERROR(post_amount(server.acme(), deposits, 1), 422, "amount_too_large", param("amount"));
  // globex stands at -10^15: its share plus that.
  const auto globex_deposits = account_path(globex_id) + "/deposits";
  for (int deposit = 0; deposit < 11; ++deposit) {
    REQUIRE_STATUS(post_amount(server.globex(), globex_deposits, largest_amount), 201);
  }
  CHECK_ERROR(post_amount(server.globex(), globex_deposits, 1), 422, "amount_too_large", param("amount"));
  CHECK(balance_of(server.acme(), account_id) == share - largest_amount);
  CHECK(balance_of(server.globex(), globex_id) == share + largest_amount);
  const auto report = audit(server.admin());
  CHECK(report.at("ok") == true);
}
