// Transfers between accounts: the transfer object, the ledger effect on both sides, the
// refusals (same account, currency mismatch, insufficient funds, unknown accounts) that
// leave everything as it was, reading, and the newest-first list per account.
#include "tests/integration/harness/testing.hpp"

using namespace settle::integration;
namespace json = boost::json;

namespace {

const auto transfer_keys = key_set({"id", "object", "kind", "from_account", "to_account", "order_id", "amount",
                                    "currency", "description", "status", "created_at", "settled_at"});

std::size_t entry_count(api_client& client, const std::string& account_id) {
  return list_all(client, "/v1/accounts/" + account_id + "/entries").size();
}

}  // namespace

TEST_CASE("a transfer answers 201 and moves the money on both sides", "[transfers]") {
  auto& client = shared_server().acme();
  const auto from = funded_account(client, 1000);
  const auto to = new_account(client);
  auto body = transfer_request(from, to, 300);
  body["description"] = "Rent for March";
  const auto response = client.post("/v1/transfers", body);
  REQUIRE_STATUS(response, 201);
  const auto transfer = json_object(response);
  CHECK(keys_of(transfer) == transfer_keys);
  CHECK(string_field(transfer, "id").rfind("trf_", 0) == 0);
  CHECK(string_field(transfer, "object") == "transfer");
  CHECK(string_field(transfer, "kind") == "transfer");
  CHECK(string_field(transfer, "from_account") == from);
  CHECK(string_field(transfer, "to_account") == to);
  CHECK(is_null_field(transfer, "order_id"));
  CHECK(integer_field(transfer, "amount") == 300);
  CHECK(string_field(transfer, "currency") == "USD");
  CHECK(string_field(transfer, "description") == "Rent for March");
  CHECK(string_field(transfer, "status") == "settled");
  CHECK(is_recent_timestamp(string_field(transfer, "created_at")));
  CHECK(is_recent_timestamp(string_field(transfer, "settled_at")));

  CHECK(balance_of(client, from) == 700);
  CHECK(balance_of(client, to) == 300);
  const auto from_entry = get_list(client, "/v1/accounts/" + from + "/entries?limit=1").data.at(0);
  const auto to_entry = get_list(client, "/v1/accounts/" + to + "/entries?limit=1").data.at(0);
  CHECK(string_field(from_entry, "transfer_id") == string_field(transfer, "id"));
  CHECK(integer_field(from_entry, "amount") == -300);
  CHECK(integer_field(from_entry, "balance_after") == 700);
  CHECK(string_field(from_entry, "kind") == "transfer");
  CHECK(string_field(to_entry, "transfer_id") == string_field(transfer, "id"));
  CHECK(integer_field(to_entry, "amount") == 300);
  CHECK(integer_field(to_entry, "balance_after") == 300);
}

TEST_CASE("a transfer reads back as it was answered", "[transfers]") {
  auto& client = shared_server().acme();
  const auto from = funded_account(client, 1000);
  const auto to = new_account(client);
  const auto response = post_transfer(client, from, to, 5);
  REQUIRE_STATUS(response, 201);
  const auto transfer = json_object(response);
  CHECK(transfer.contains("description"));
  CHECK(get_object(client, "/v1/transfers/" + string_field(transfer, "id")) == transfer);
  CHECK_ERROR(client.get("/v1/transfers/trf_doesnotexist"), 404, "not_found", any_param);
}

TEST_CASE("refused transfers name the reason and change nothing", "[transfers][validation]") {
  auto& client = shared_server().acme();
  const auto from = funded_account(client, 1000);
  const auto to = funded_account(client, 50);
  const auto euros = funded_account(client, 1000, "EUR");

  CHECK_ERROR(post_transfer(client, from, from, 10), 422, "same_account", any_param);
  CHECK_ERROR(post_transfer(client, from, euros, 10), 422, "currency_mismatch", any_param);
  CHECK_ERROR(post_transfer(client, euros, from, 10, "EUR"), 422, "currency_mismatch", any_param);
  CHECK_ERROR(post_transfer(client, from, to, 10, "EUR"), 422, "currency_mismatch", any_param);
  CHECK_ERROR(post_transfer(client, from, to, 10, "XYZ"), 422, "unsupported_currency", param("currency"));
  CHECK_ERROR(post_transfer(client, from, to, 1001), 402, "insufficient_funds", any_param);
  CHECK_ERROR(post_transfer(client, "acc_doesnotexist", to, 10), 404, "not_found", param("from_account"));
  CHECK_ERROR(post_transfer(client, from, "acc_doesnotexist", 10), 404, "not_found", param("to_account"));
  CHECK_ERROR(post_transfer(client, from, to, 0), 422, "invalid_parameter", param("amount"));
  CHECK_ERROR(post_transfer(client, from, to, 1'000'000'000'000'001), 422, "invalid_parameter", param("amount"));

  CHECK(balance_of(client, from) == 1000);
  CHECK(balance_of(client, to) == 50);
  CHECK(balance_of(client, euros) == 1000);
  CHECK(entry_count(client, from) == 1);
  CHECK(entry_count(client, to) == 1);
  CHECK(list_all(client, "/v1/transfers?account=" + from).size() == 1);
}

TEST_CASE("a transfer without a required field is 422 missing_parameter", "[transfers][validation]") {
  auto& client = shared_server().acme();
  const auto from = funded_account(client, 100);
  const auto to = new_account(client);
  for (const std::string field : {"from_account", "to_account", "amount", "currency"}) {
    INFO("without " << field);
    auto body = transfer_request(from, to, 10);
    body.erase(field);
    CHECK_ERROR(client.post("/v1/transfers", body), 422, "missing_parameter", param(field));
  }
  auto body = transfer_request(from, to, 10);
  body["memo"] = "x";
  CHECK_ERROR(client.post("/v1/transfers", body), 422, "unknown_parameter", param("memo"));
  CHECK(balance_of(client, from) == 100);
}

TEST_CASE("the transfers of an account are listed newest first", "[transfers][lists]") {
  auto& client = shared_server().acme();
  const auto first = funded_account(client, 1000);
  const auto second = funded_account(client, 1000);
  const auto third = new_account(client);
  const auto deposited = get_list(client, "/v1/transfers?account=" + first).data;
  REQUIRE(deposited.size() == 1);

  std::vector<std::string> newest_first = {string_field(deposited[0], "id")};
  const auto remember = [&newest_first](const http_response& response) {
    REQUIRE_STATUS(response, 201);
    newest_first.insert(newest_first.begin(), string_field(json_object(response), "id"));
  };
  remember(post_transfer(client, first, second, 10));
  remember(post_transfer(client, second, first, 20));
  post_transfer(client, second, third, 30);  // does not touch `first`
  remember(post_transfer(client, first, third, 40));

  const auto all = get_list(client, "/v1/transfers?account=" + first);
  CHECK(ids_of(all.data) == newest_first);
  CHECK_FALSE(all.has_more);
  const auto page = get_list(client, "/v1/transfers?account=" + first + "&limit=2");
  CHECK(ids_of(page.data) == std::vector<std::string>(newest_first.begin(), newest_first.begin() + 2));
  CHECK(page.has_more);
  const auto rest = get_list(client, "/v1/transfers?account=" + first + "&limit=2&starting_after=" + newest_first[1]);
  CHECK(ids_of(rest.data) == std::vector<std::string>(newest_first.begin() + 2, newest_first.end()));
  CHECK_FALSE(rest.has_more);
  CHECK_ERROR(client.get("/v1/transfers?account=acc_doesnotexist"), 404, "not_found", any_param);
}
