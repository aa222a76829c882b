// Tests the route table against API.md: every route with its path parameters, the
// methods a known path allows (405), target splitting with percent-decoding, and which
// path gets the batch body limit; and that the OpenAPI document the server serves
// describes every route with its method.
#include "net/router.hpp"

#include "net/api_commands.hpp"
#include "net/openapi_document.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

namespace {

using settle::net::endpoint;
using settle::net::match_route;

struct expected_route {
  const char* method;
  const char* path;
  const char* pattern;
  endpoint kind;
  settle::net::command_builder build;
  std::vector<std::string> parameters;
};

const std::vector<expected_route> api_routes{
  {"GET", "/healthz", "/healthz", endpoint::healthz, nullptr, {}},
  {"GET", "/readyz", "/readyz", endpoint::readyz, nullptr, {}},
  {"GET", "/metrics", "/metrics", endpoint::metrics, nullptr, {}},
  {"GET", "/", "/", endpoint::document, nullptr, {}},
  {"GET", "/app.js", "/app.js", endpoint::document, nullptr, {}},
  {"GET", "/style.css", "/style.css", endpoint::document, nullptr, {}},
  {"GET", "/openapi.yaml", "/openapi.yaml", endpoint::document, nullptr, {}},
  {"GET", "/i18n/en.json", "/i18n/en.json", endpoint::document, nullptr, {}},
  {"GET", "/i18n/zh.json", "/i18n/zh.json", endpoint::document, nullptr, {}},
  {"GET", "/v1/stream", "/v1/stream", endpoint::stream, nullptr, {}},
  {"POST", "/v1/users", "/v1/users", endpoint::api, settle::net::build_create_user, {}},
  {"GET", "/v1/users", "/v1/users", endpoint::api, settle::net::build_list_users, {}},
  {"GET", "/v1/users/usr_1", "/v1/users/{id}", endpoint::api, settle::net::build_get_user,
   {"usr_1"}},
  {"PUT", "/v1/users/usr_2", "/v1/users/{id}", endpoint::api, settle::net::build_update_user,
   {"usr_2"}},
  {"DELETE", "/v1/users/usr_3", "/v1/users/{id}", endpoint::api, settle::net::build_delete_user,
   {"usr_3"}},
  {"POST", "/v1/accounts", "/v1/accounts", endpoint::api, settle::net::build_create_account, {}},
  {"GET", "/v1/accounts", "/v1/accounts", endpoint::api, settle::net::build_list_accounts, {}},
  {"GET", "/v1/accounts/acc_1", "/v1/accounts/{id}", endpoint::api,
   settle::net::build_get_account, {"acc_1"}},
  {"DELETE", "/v1/accounts/acc_2", "/v1/accounts/{id}", endpoint::api,
   settle::net::build_close_account, {"acc_2"}},
  {"POST", "/v1/accounts/acc_3/deposits", "/v1/accounts/{id}/deposits", endpoint::api,
   settle::net::build_deposit, {"acc_3"}},
  {"POST", "/v1/accounts/acc_4/withdrawals", "/v1/accounts/{id}/withdrawals", endpoint::api,
   settle::net::build_withdrawal, {"acc_4"}},
  {"GET", "/v1/accounts/acc_5/entries", "/v1/accounts/{id}/entries", endpoint::api,
   settle::net::build_list_entries, {"acc_5"}},
  {"POST", "/v1/transfers", "/v1/transfers", endpoint::api, settle::net::build_create_transfer,
   {}},
  {"GET", "/v1/transfers", "/v1/transfers", endpoint::api, settle::net::build_list_transfers, {}},
  {"POST", "/v1/transfers/batch", "/v1/transfers/batch", endpoint::api,
   settle::net::build_transfer_batch, {}},
  {"GET", "/v1/transfers/trf_1", "/v1/transfers/{id}", endpoint::api,
   settle::net::build_get_transfer, {"trf_1"}},
  {"POST", "/v1/orders", "/v1/orders", endpoint::api, settle::net::build_create_order, {}},
  {"GET", "/v1/orders", "/v1/orders", endpoint::api, settle::net::build_list_orders, {}},
  {"GET", "/v1/orders/ord_1", "/v1/orders/{id}", endpoint::api, settle::net::build_get_order,
   {"ord_1"}},
  {"PUT", "/v1/orders/ord_2", "/v1/orders/{id}", endpoint::api, settle::net::build_update_order,
   {"ord_2"}},
  {"DELETE", "/v1/orders/ord_3", "/v1/orders/{id}", endpoint::api,
   settle::net::build_delete_order, {"ord_3"}},
  {"POST", "/v1/orders/ord_4/confirm", "/v1/orders/{id}/confirm", endpoint::api,
   settle::net::build_confirm_order, {"ord_4"}},
  {"POST", "/v1/orders/ord_5/capture", "/v1/orders/{id}/capture", endpoint::api,
   settle::net::build_capture_order, {"ord_5"}},
  {"POST", "/v1/orders/ord_6/cancel", "/v1/orders/{id}/cancel", endpoint::api,
   settle::net::build_cancel_order, {"ord_6"}},
  {"POST", "/v1/orders/ord_7/refunds", "/v1/orders/{id}/refunds", endpoint::api,
   settle::net::build_refund_order, {"ord_7"}},
  {"POST", "/v1/webhook_endpoints", "/v1/webhook_endpoints", endpoint::api,
   settle::net::build_create_webhook_endpoint, {}},
  {"GET", "/v1/webhook_endpoints", "/v1/webhook_endpoints", endpoint::api,
   settle::net::build_list_webhook_endpoints, {}},
  {"GET", "/v1/webhook_endpoints/whe_1", "/v1/webhook_endpoints/{id}", endpoint::api,
   settle::net::build_get_webhook_endpoint, {"whe_1"}},
  {"PUT", "/v1/webhook_endpoints/whe_2", "/v1/webhook_endpoints/{id}", endpoint::api,
   settle::net::build_update_webhook_endpoint, {"whe_2"}},
  {"DELETE", "/v1/webhook_endpoints/whe_3", "/v1/webhook_endpoints/{id}", endpoint::api,
   settle::net::build_delete_webhook_endpoint, {"whe_3"}},
  {"GET", "/v1/webhook_endpoints/whe_4/deliveries", "/v1/webhook_endpoints/{id}/deliveries",
   endpoint::api, settle::net::build_list_webhook_deliveries, {"whe_4"}},
  {"POST", "/v1/webhook_endpoints/whe_5/deliveries/whd_1/retry",
   "/v1/webhook_endpoints/{id}/deliveries/{delivery}/retry", endpoint::api,
   settle::net::build_retry_webhook_delivery, {"whe_5", "whd_1"}},
  {"GET", "/v1/audit", "/v1/audit", endpoint::api, settle::net::build_audit, {}},
  {"GET", "/v1/cluster", "/v1/cluster", endpoint::api, settle::net::build_cluster, {}},
};

// The allowed methods of a path requested with a method it does not have.
std::string allowed_for(const char* method, const char* path) {
  auto match = match_route(method, path);
  return match.matched == nullptr ? match.allowed_methods : std::string{"matched"};
}

// Whether the OpenAPI document has `method` (any case) under the path item `pattern`.
bool documented(std::string_view document, std::string method, const std::string& pattern) {
  auto item = document.find("\n  " + pattern + ":\n");
  if (item == std::string_view::npos) {
    return false;
  }
  auto next_item = document.find("\n  /", item + 1);
  auto body = document.substr(item, next_item == std::string_view::npos ? std::string_view::npos
                                                                          : next_item - item);
  std::transform(method.begin(), method.end(), method.begin(),
                 [](unsigned char letter) { return static_cast<char>(std::tolower(letter)); });
  return body.find("\n    " + method + ":") != std::string_view::npos;
}

} // namespace

TEST_CASE("the OpenAPI document served at /openapi.yaml describes every route", "[router]") {
  const auto document = settle::net::openapi_document();
  REQUIRE(document.substr(0, 14) == "openapi: 3.0.3");
  for (const auto& expected : api_routes) {
    INFO(expected.method << " " << expected.pattern);
    CHECK(documented(document, expected.method, expected.pattern));
  }
  CHECK_FALSE(documented(document, "PATCH", "/v1/users"));
  CHECK_FALSE(documented(document, "GET", "/v1/nothing"));
}

TEST_CASE("every implemented route of API.md matches with its path parameters", "[router]") {
  for (const auto& expected : api_routes) {
    INFO(expected.method << " " << expected.path);
    auto match = match_route(expected.method, expected.path);
    REQUIRE(match.matched != nullptr);
    CHECK(match.matched->method == expected.method);
    CHECK(match.matched->pattern == expected.pattern);
    CHECK(match.matched->kind == expected.kind);
    CHECK(match.matched->build == expected.build);
    CHECK(match.path_parameters == expected.parameters);
  }
}

TEST_CASE("only the batch route takes the larger batch body limit", "[router]") {
  for (const auto& expected : api_routes) {
    INFO(expected.method << " " << expected.path);
    auto match = match_route(expected.method, expected.path);
    REQUIRE(match.matched != nullptr);
    CHECK(match.matched->batch_body == (std::string{expected.pattern} == "/v1/transfers/batch"));
  }
}

TEST_CASE("a path parameter may not be empty", "[router]") {
  auto match = match_route("GET", "/v1/users/");
  CHECK(match.matched == nullptr);
  CHECK(match.allowed_methods.empty());
  CHECK(match_route("POST", "/v1/accounts//deposits").matched == nullptr);
}

TEST_CASE("unknown paths match nothing and allow nothing", "[router]") {
  for (const char* path : {"/v1/nothing", "/v1", "/v1/users/usr_1/extra", "/v2/users",
                           "/V1/users", "/healthz/", "/v1/accounts/acc_1/deposit"}) {
    INFO(path);
    auto match = match_route("GET", path);
    CHECK(match.matched == nullptr);
    CHECK(match.allowed_methods.empty());
  }
}

TEST_CASE("a path that names a route is never another route's parameter", "[router]") {
  // GET /v1/transfers/{id} would take "batch" as an id: the batch route's path is 405.
  CHECK(allowed_for("GET", "/v1/transfers/batch") == "POST");
  CHECK(allowed_for("DELETE", "/v1/transfers/batch") == "POST");
  auto batch = match_route("POST", "/v1/transfers/batch");
  REQUIRE(batch.matched != nullptr);
  CHECK(batch.matched->build == settle::net::build_transfer_batch);
  auto transfer = match_route("GET", "/v1/transfers/batches");
  REQUIRE(transfer.matched != nullptr);
  CHECK(transfer.path_parameters == std::vector<std::string>{"batches"});
}

TEST_CASE("a known path with another method lists the methods it allows", "[router]") {
  CHECK(allowed_for("PATCH", "/v1/users/usr_1") == "GET, PUT, DELETE");
  CHECK(allowed_for("DELETE", "/v1/users") == "POST, GET");
  CHECK(allowed_for("PUT", "/v1/accounts") == "POST, GET");
  CHECK(allowed_for("POST", "/v1/accounts/acc_1") == "GET, DELETE");
  CHECK(allowed_for("GET", "/v1/accounts/acc_1/deposits") == "POST");
  CHECK(allowed_for("GET", "/v1/accounts/acc_1/withdrawals") == "POST");
  CHECK(allowed_for("POST", "/v1/accounts/acc_1/entries") == "GET");
  CHECK(allowed_for("DELETE", "/v1/transfers") == "POST, GET");
  CHECK(allowed_for("DELETE", "/v1/transfers/trf_1") == "GET");
  CHECK(allowed_for("PATCH", "/v1/orders/ord_1") == "GET, PUT, DELETE");
  CHECK(allowed_for("GET", "/v1/orders/ord_1/confirm") == "POST");
  CHECK(allowed_for("DELETE", "/v1/orders/ord_1/refunds") == "POST");
  CHECK(allowed_for("POST", "/v1/audit") == "GET");
  CHECK(allowed_for("POST", "/v1/cluster") == "GET");
  CHECK(allowed_for("POST", "/healthz") == "GET");
  CHECK(allowed_for("DELETE", "/") == "GET");
}

TEST_CASE("methods are matched case-sensitively, as HTTP defines them", "[router]") {
  auto match = match_route("get", "/v1/users");
  CHECK(match.matched == nullptr);
  CHECK(match.allowed_methods == "POST, GET");
}

TEST_CASE("split_target separates the path from the decoded query", "[router]") {
  std::string path;
  settle::net::query_parameters query;
  REQUIRE(settle::net::split_target("/v1/users?limit=10&starting_after=usr_1", path, query));
  CHECK(path == "/v1/users");
  CHECK(query == settle::net::query_parameters{{"limit", "10"}, {"starting_after", "usr_1"}});
}

TEST_CASE("split_target without a query leaves the query empty", "[router]") {
  std::string path;
  settle::net::query_parameters query;
  REQUIRE(settle::net::split_target("/v1/accounts/acc_1", path, query));
  CHECK(path == "/v1/accounts/acc_1");
  CHECK(query.empty());
}

TEST_CASE("split_target decodes the query's names and values; the path is decoded by segment "
          "when it is matched",
          "[router]") {
  std::string path;
  settle::net::query_parameters query;
  REQUIRE(settle::net::split_target("/v1/accounts/acc%5F1%5f2?user%5Fid=usr%20a+b&x=%2B", path,
                                    query));
  CHECK(path == "/v1/accounts/acc%5F1%5f2");
  CHECK(query == settle::net::query_parameters{{"user_id", "usr a b"}, {"x", "+"}});
  auto match = match_route("GET", path);
  REQUIRE(match.matched != nullptr);
  CHECK(match.path_parameters == std::vector<std::string>{"acc_1_2"});
}

TEST_CASE("an escaped separator is text, never a separator", "[router]") {
  // "%2F" inside an id: the id's text, not a deeper path.
  auto inside = match_route("GET", "/v1/accounts/acc_1%2Fentries");
  REQUIRE(inside.matched != nullptr);
  CHECK(inside.matched->pattern == "/v1/accounts/{id}");
  CHECK(inside.path_parameters == std::vector<std::string>{"acc_1/entries"});
  CHECK(match_route("GET", "/v1/users%2Fusr_1").matched == nullptr);
  CHECK(match_route("GET", "/v1%2Fusers").matched == nullptr);
  CHECK(match_route("POST", "/v1/transfers%2Fbatch").matched == nullptr);
  // An escaped letter is the letter: the same route.
  CHECK(match_route("GET", "/v1/u%73ers").matched != nullptr);
  // In a query, escaped '&' and '=' are part of the value.
  std::string path;
  settle::net::query_parameters query;
  REQUIRE(settle::net::split_target("/v1/users?starting_after=a%26limit%3D5&limit=2", path, query));
  CHECK(query == settle::net::query_parameters{{"starting_after", "a&limit=5"}, {"limit", "2"}});
  // '+' is itself in a path.
  auto plus = match_route("GET", "/v1/users/usr+1");
  REQUIRE(plus.matched != nullptr);
  CHECK(plus.path_parameters == std::vector<std::string>{"usr+1"});
}

TEST_CASE("split_target keeps a name without a value and skips empty pairs", "[router]") {
  std::string path;
  settle::net::query_parameters query;
  REQUIRE(settle::net::split_target("/v1/users?&limit&&starting_after=a=b&", path, query));
  CHECK(path == "/v1/users");
  CHECK(query == settle::net::query_parameters{{"limit", ""}, {"starting_after", "a=b"}});
}

TEST_CASE("split_target refuses broken percent-encoding", "[router]") {
  for (const char* target : {"/v1/users%", "/v1/users%4", "/v1/users%zz", "/v1/%G1sers",
                             "/v1/users?limit=%", "/v1/users?limit=1%2", "/v1/users?%xy=1",
                             "/v1/users?limit=%%31"}) {
    INFO(target);
    std::string path;
    settle::net::query_parameters query;
    CHECK_FALSE(settle::net::split_target(target, path, query));
    CHECK(match_route("GET", target).matched == nullptr);
  }
}

TEST_CASE("split_target accepts an escape that ends the text", "[router]") {
  std::string path;
  settle::net::query_parameters query;
  REQUIRE(settle::net::split_target("/v1/users/usr%31?name=%41", path, query));
  CHECK(match_route("GET", path).path_parameters == std::vector<std::string>{"usr1"});
  CHECK(query == settle::net::query_parameters{{"name", "A"}});
}

TEST_CASE("is_batch_path is true for the batch endpoint only", "[router]") {
  CHECK(settle::net::is_batch_path("/v1/transfers/batch"));
  CHECK_FALSE(settle::net::is_batch_path("/v1/transfers"));
  CHECK_FALSE(settle::net::is_batch_path("/v1/transfers/batch/"));
  CHECK_FALSE(settle::net::is_batch_path("/v1/transfers/batches"));
  CHECK_FALSE(settle::net::is_batch_path("/v1/transfers/trf_1"));
  CHECK_FALSE(settle::net::is_batch_path(""));
}
