// Batches whose invalid items fall around positions 63 and 64: invalid first, at
// position 63 or 64, every item invalid; atomic and not; with and without an
// Idempotency-Key. Each must be answered exactly once, in order, move exactly the money
// of its valid items, and leave the node serving every tenant. And a batch over more
// accounts than the coordinator asks at once (64), whose refusals fall inside one
// account's legs.
#include "tests/integration/harness/testing.hpp"

using namespace settle::integration;
namespace json = boost::json;

namespace {

const std::string batch_target = "/v1/transfers/batch";

struct batch_shape {
  std::size_t valid = 0;                  // items of 1 from `from` to `to`
  std::vector<std::size_t> invalid_at;    // positions of items with amount 0
  std::size_t empty_objects = 0;          // items `{}` appended after the rest
};

json::array items_of(const batch_shape& shape, const std::string& from, const std::string& to) {
  json::array items;
  std::size_t total = shape.valid + shape.invalid_at.size();
  std::size_t next_invalid = 0;
  for (std::size_t position = 0; position < total; ++position) {
    bool invalid = next_invalid < shape.invalid_at.size() && shape.invalid_at[next_invalid] == position;
    items.push_back(transfer_request(from, to, invalid ? 0 : 1));
    next_invalid += invalid ? 1 : 0;
  }
  for (std::size_t count = 0; count < shape.empty_objects; ++count) {
    items.push_back(json::object{});
  }
  return items;
}

// What each result must be: settled, the item's own error, or batch_aborted.
std::string result_problem(const json::value& result, bool invalid_item, bool aborted) {
  const auto text = json::serialize(result);
  if (invalid_item) {
    const bool has_code = result.is_object() && result.as_object().contains("error");
    return has_code ? "" : "an invalid item without its error: " + text;
  }
  if (aborted) {
    return error_shape_mismatch(text, "batch_aborted");
  }
  const bool settled = result.is_object() && result.as_object().contains("status") &&
                       result.as_object().at("status") == "settled";
  return settled ? "" : "a valid item not settled: " + text;
}

// Sends the batch (with a key when `key` is not empty), checks its answer item by item and
// the money moved, then the node's health: another tenant is served and the audit holds.
void check_batch(const batch_shape& shape, bool atomic, const std::string& key) {
  auto& server = shared_server();
  auto& client = server.acme();
  const auto from = funded_account(client, 10000);
  const auto to = new_account(client);
  json::object body{{"atomic", atomic}, {"transfers", items_of(shape, from, to)}};
  header_list headers;
  if (!key.empty()) {
    headers.emplace_back("Idempotency-Key", key);
  }
  const auto response = client.post(batch_target, body, headers);
  REQUIRE_STATUS(response, 200);
  const auto results = json_object(response).at("results").as_array();
  REQUIRE(results.size() == shape.valid + shape.invalid_at.size() + shape.empty_objects);
  const bool any_invalid = !shape.invalid_at.empty() || shape.empty_objects > 0;
  const bool aborted = atomic && any_invalid;
  std::size_t next_invalid = 0;
  for (std::size_t position = 0; position < results.size(); ++position) {
    bool invalid = position >= shape.valid + shape.invalid_at.size() ||
                   (next_invalid < shape.invalid_at.size() && shape.invalid_at[next_invalid] == position);
    next_invalid += (next_invalid < shape.invalid_at.size() && shape.invalid_at[next_invalid] == position) ? 1 : 0;
    INFO("item " << position);
    CHECK(result_problem(results[position], invalid, aborted) == "");
  }
  const std::int64_t moved = aborted ? 0 : static_cast<std::int64_t>(shape.valid);
  CHECK(balance_of(client, from) == 10000 - moved);
  CHECK(balance_of(client, to) == moved);
  if (!key.empty()) {
    const auto replay = client.post(batch_target, body, headers);
    CHECK_STATUS(replay, 200);
    CHECK(replay.header("Idempotent-Replayed") == std::optional<std::string>("true"));
    CHECK(replay.body == response.body);
    CHECK(balance_of(client, from) == 10000 - moved);
  }
  CHECK_STATUS(server.globex().get("/v1/accounts"), 200);
  CHECK(audit(server.admin()).at("ok") == true);
}

std::string key_for(const std::string& shape_name, bool atomic) {
  return "batch-window-" + shape_name + (atomic ? "-atomic-" : "-") + unique_email();
}

}  // namespace

TEST_CASE("batches with invalid items around the window are answered once and leave the node serving",
          "[batch]") {
  const std::vector<std::pair<std::string, batch_shape>> shapes{
    {"invalid-first", {70, {0}, 0}},
    {"invalid-at-63", {70, {63}, 0}},
    {"invalid-at-64", {70, {64}, 0}},
    {"invalid-first-and-63", {70, {0, 63}, 0}},
    {"all-invalid-64", {0, {}, 64}},
    {"all-invalid-65", {0, {}, 65}},
    {"valid-then-65-invalid", {3, {}, 65}},
  };
  for (const auto& [name, shape] : shapes) {
    for (bool atomic : {false, true}) {
      for (bool with_key : {false, true}) {
        DYNAMIC_SECTION(name << (atomic ? " atomic" : " non-atomic") << (with_key ? " with a key" : "")) {
          check_batch(shape, atomic, with_key ? key_for(name, atomic) : "");
        }
      }
    }
  }
}

TEST_CASE("a batch of 1000 invalid items with a key is stored once and replayed", "[batch]") {
  check_batch({0, {}, 1000}, false, key_for("all-invalid-1000", false));
}

// A non-atomic batch of `items`, answered 200 with one result per item.
json::array batch_results(api_client& client, json::array items) {
  const auto count = items.size();
  const auto response =
    client.post(batch_target, json::object{{"atomic", false}, {"transfers", std::move(items)}});
  REQUIRE_STATUS(response, 200);
  auto results = json_object(response).at("results").as_array();
  REQUIRE(results.size() == count);
  return results;
}

TEST_CASE("batches over 63, 64, 65 accounts and more settle exactly what their order allows",
          "[batch]") {
  // One payer pays 1 to each payee, twice. The first batch also pays an account that
  // does not exist (refused alone); the second has a payee pay more than it holds, and
  // one spend what the batch brought it (refused when every account is asked at once,
  // settled in order).
  for (std::size_t payees : {62, 63, 64, 70}) {
    DYNAMIC_SECTION(payees << " payees") {
      auto& server = shared_server();
      auto& client = server.acme();
      const auto payer = funded_account(client, 1000);
      std::vector<std::string> accounts;
      json::array payments;
      for (std::size_t index = 0; index < payees; ++index) {
        accounts.push_back(new_account(client));
        payments.push_back(transfer_request(payer, accounts.back(), 1));
      }
      auto first = payments;
      first.push_back(transfer_request(accounts[4], "acc_doesnotexist", 1));
      auto results = batch_results(client, first);
      for (std::size_t index = 0; index < payees; ++index) {
        INFO("first batch, item " << index);
        CHECK(result_problem(results[index], false, false) == "");
      }
      CHECK(error_shape_mismatch(json::serialize(results[payees]), "not_found") == "");

      auto second = payments;
      second.push_back(transfer_request(accounts[0], accounts[1], 3));
      second.push_back(transfer_request(accounts[2], accounts[3], 2));
      results = batch_results(client, second);
      for (std::size_t index = 0; index < payees; ++index) {
        INFO("second batch, item " << index);
        CHECK(result_problem(results[index], false, false) == "");
      }
      CHECK(error_shape_mismatch(json::serialize(results[payees]), "insufficient_funds") == "");
      CHECK(result_problem(results[payees + 1], false, false) == "");

      CHECK(balance_of(client, payer) == 1000 - 2 * static_cast<std::int64_t>(payees));
      const std::vector<std::int64_t> expected{2, 2, 0, 4, 2};
      for (std::size_t index = 0; index < expected.size(); ++index) {
        INFO("payee " << index);
        CHECK(balance_of(client, accounts[index]) == expected[index]);
      }
      CHECK(balance_of(client, accounts.back()) == 2);
      CHECK_STATUS(server.globex().get("/v1/accounts"), 200);
      CHECK(audit(server.admin()).at("ok") == true);
    }
  }
}
