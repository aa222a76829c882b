// Batches of transfers, atomic and not: results in request order, per-item errors, all or
// nothing, the 1000-item limit; and the body size limits (64 KiB, 1 MiB for batches).
#include "tests/integration/harness/testing.hpp"

using namespace settle::integration;
namespace json = boost::json;

namespace {

const std::string batch_target = "/v1/transfers/batch";

json::object batch(bool atomic, json::array transfers) {
  return {{"atomic", atomic}, {"transfers", std::move(transfers)}};
}

// The results array of a 200 batch answer, which must be exactly {"object", "results"}.
json::array batch_results(const http_response& response) {
  REQUIRE_STATUS(response, 200);
  const auto body = json_object(response);
  REQUIRE(keys_of(body) == key_set({"object", "results"}));
  CHECK(string_field(body, "object") == "batch");
  return body.at("results").as_array();
}

// Empty when the result is a settled transfer of `amount`, else the result itself.
std::string settled_transfer_mismatch(const json::value& result, std::int64_t amount) {
  const bool settled = result.is_object() && result.as_object().contains("id") &&
                       result.as_object().at("object") == "transfer" &&
                       result.as_object().at("status") == "settled" && result.as_object().at("amount") == amount;
  return settled ? "" : "not a settled transfer of " + std::to_string(amount) + ": " + json::serialize(result);
}

std::string error_problems(const json::value& result, std::string_view code) {
  return error_shape_mismatch(json::serialize(result), code);
}

json::array repeated_transfers(const std::string& from, const std::string& to, std::size_t count,
                               const std::string& description = "") {
  json::array transfers;
  for (std::size_t index = 0; index < count; ++index) {
    auto transfer = transfer_request(from, to, 1);
    if (!description.empty()) {
      transfer["description"] = description;
    }
    transfers.push_back(std::move(transfer));
  }
  return transfers;
}

}  // namespace

TEST_CASE("a non-atomic batch settles what it can and reports the rest in order", "[batch]") {
  auto& client = shared_server().acme();
  const auto first = funded_account(client, 1000);
  const auto second = new_account(client);
  const auto third = funded_account(client, 500);
  const auto results = batch_results(client.post(
      batch_target, batch(false, {transfer_request(first, second, 100), transfer_request(first, second, 5000),
                                  transfer_request(first, first, 1), transfer_request(first, "acc_doesnotexist", 1),
                                  transfer_request(third, first, 50)})));
  REQUIRE(results.size() == 5);
  CHECK(settled_transfer_mismatch(results[0], 100) == "");
  CHECK(error_problems(results[1], "insufficient_funds") == "");
  CHECK(error_problems(results[2], "same_account") == "");
  CHECK(error_problems(results[3], "not_found") == "");
  CHECK(settled_transfer_mismatch(results[4], 50) == "");
  CHECK(balance_of(client, first) == 950);
  CHECK(balance_of(client, second) == 100);
  CHECK(balance_of(client, third) == 450);
  const auto first_id = std::string(results[0].as_object().at("id").as_string());
  CHECK(get_object(client, "/v1/transfers/" + first_id) == results[0].as_object());
}

TEST_CASE("an atomic batch settles every transfer", "[batch]") {
  auto& client = shared_server().acme();
  const auto first = funded_account(client, 1000);
  const auto second = new_account(client);
  const auto third = new_account(client);
  const auto fourth = funded_account(client, 80);
  const auto results = batch_results(client.post(
      batch_target, batch(true, {transfer_request(first, second, 100), transfer_request(first, third, 200),
                                 transfer_request(fourth, third, 50)})));
  REQUIRE(results.size() == 3);
  CHECK(settled_transfer_mismatch(results[0], 100) == "");
  CHECK(settled_transfer_mismatch(results[1], 200) == "");
  CHECK(settled_transfer_mismatch(results[2], 50) == "");
  CHECK(balance_of(client, first) == 700);
  CHECK(balance_of(client, second) == 100);
  CHECK(balance_of(client, third) == 250);
  CHECK(balance_of(client, fourth) == 30);
}

TEST_CASE("the items of a batch apply in order and each sees the ones before it", "[batch][ordering]") {
  // The contract is silent here; applying in request order is what TigerBeetle's linked
  // events do and what a client writing "A pays B, then B pays C" expects.
  auto& client = shared_server().acme();
  const auto first = funded_account(client, 1000);
  const auto second = new_account(client);
  const auto third = new_account(client);
  for (const bool atomic : {true, false}) {
    INFO("atomic: " << atomic);
    const auto results = batch_results(client.post(
        batch_target, batch(atomic, {transfer_request(first, second, 100), transfer_request(second, third, 60)})));
    REQUIRE(results.size() == 2);
    CHECK(settled_transfer_mismatch(results[0], 100) == "");
    CHECK(settled_transfer_mismatch(results[1], 60) == "");
  }
  CHECK(balance_of(client, first) == 800);
  CHECK(balance_of(client, second) == 80);
  CHECK(balance_of(client, third) == 120);
}

TEST_CASE("an item of a batch cannot spend what a later item brings", "[batch][ordering]") {
  // The reverse of the case above: the server reserves a batch all at once first, and
  // must then fall back to the request order exactly.
  auto& client = shared_server().acme();
  const auto first = funded_account(client, 1000);
  const auto second = new_account(client);
  const auto third = new_account(client);
  const auto results = batch_results(client.post(
      batch_target, batch(false, {transfer_request(second, third, 60), transfer_request(first, second, 100)})));
  REQUIRE(results.size() == 2);
  CHECK(error_problems(results[0], "insufficient_funds") == "");
  CHECK(settled_transfer_mismatch(results[1], 100) == "");
  CHECK(balance_of(client, first) == 900);
  CHECK(balance_of(client, second) == 100);
  CHECK(balance_of(client, third) == 0);
}

TEST_CASE("an atomic batch with a failing item settles nothing", "[batch]") {
  auto& client = shared_server().acme();
  const auto first = funded_account(client, 1000);
  const auto second = new_account(client);
  const auto third = new_account(client);

  SECTION("an item that fails on its own") {
    const auto results = batch_results(client.post(
        batch_target, batch(true, {transfer_request(first, second, 100), transfer_request(first, third, 200),
                                   transfer_request(first, second, 5000)})));
    REQUIRE(results.size() == 3);
    CHECK(error_problems(results[0], "batch_aborted") == "");
    CHECK(error_problems(results[1], "batch_aborted") == "");
    CHECK(error_problems(results[2], "insufficient_funds") == "");
  }
  SECTION("items that fit alone but not together") {
    const auto results = batch_results(client.post(
        batch_target, batch(true, {transfer_request(first, second, 600), transfer_request(first, third, 600)})));
    REQUIRE(results.size() == 2);
    CHECK(error_problems(results[0], "batch_aborted") == "");
    CHECK(error_problems(results[1], "insufficient_funds") == "");
  }
  SECTION("an unknown account among good items") {
    const auto results = batch_results(client.post(
        batch_target, batch(true, {transfer_request(first, "acc_doesnotexist", 1), transfer_request(first, third, 1)})));
    REQUIRE(results.size() == 2);
    CHECK(error_problems(results[0], "not_found") == "");
    CHECK(error_problems(results[1], "batch_aborted") == "");
  }
  CHECK(balance_of(client, first) == 1000);
  CHECK(balance_of(client, second) == 0);
  CHECK(balance_of(client, third) == 0);
  CHECK(list_all(client, "/v1/transfers?account=" + first).size() == 1);
  CHECK(list_all(client, "/v1/accounts/" + second + "/entries").empty());
}

TEST_CASE("a batch holds 1 to 1000 transfers", "[batch][validation]") {
  auto& client = shared_server().acme();
  const auto from = funded_account(client, 5000);
  const auto to = new_account(client);
  CHECK_ERROR(client.post(batch_target, batch(true, repeated_transfers(from, to, 1001))), 422, "invalid_parameter",
              param("transfers"));
  CHECK_ERROR(client.post(batch_target, batch(false, {})), 422, "invalid_parameter", param("transfers"));
  CHECK_ERROR(client.post(batch_target, json::object{{"atomic", true}}), 422, "missing_parameter",
              param("transfers"));
  CHECK(balance_of(client, from) == 5000);

  // 1000 items are well over 64 KiB of JSON: the batch limit is 1 MiB.
  const auto body = json::serialize(batch(true, repeated_transfers(from, to, 1000)));
  REQUIRE(body.size() > 64 * 1024);
  const auto results = batch_results(client.post_text(batch_target, body));
  REQUIRE(results.size() == 1000);
  for (const auto& result : results) {
    CHECK(settled_transfer_mismatch(result, 1) == "");
  }
  CHECK(balance_of(client, from) == 4000);
  CHECK(balance_of(client, to) == 1000);
}

TEST_CASE("a batch body over 1 MiB is 413 body_too_large", "[batch][limits]") {
  auto& client = shared_server().acme();
  const auto from = funded_account(client, 5000);
  const auto to = new_account(client);
  const auto body = json::serialize(batch(false, repeated_transfers(from, to, 1000, std::string(1100, 'x'))));
  REQUIRE(body.size() > 1024 * 1024);
  CHECK_ERROR(client.post_text(batch_target, body), 413, "body_too_large", any_param);
  CHECK(balance_of(client, from) == 5000);
}

TEST_CASE("a body over 64 KiB on other endpoints is 413 body_too_large", "[limits]") {
  auto& client = shared_server().acme();
  const auto body_with_name = [](std::size_t length) {
    return json::serialize(json::object{{"name", std::string(length, 'a')}, {"email", unique_email()}});
  };
  const auto too_large = body_with_name(70 * 1024);
  REQUIRE(too_large.size() > 64 * 1024);
  CHECK_ERROR(client.post_text("/v1/users", too_large), 413, "body_too_large", any_param);
  // Just under the limit the body is read, and refused for its content instead.
  const auto large = body_with_name(60 * 1024);
  REQUIRE(large.size() < 64 * 1024);
  CHECK_ERROR(client.post_text("/v1/users", large), 422, "invalid_parameter", param("name"));
  CHECK_STATUS(client.get("/healthz"), 200);
}
