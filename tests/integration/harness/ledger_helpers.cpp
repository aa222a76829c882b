// Implementation of the set-up shortcuts; see ledger_helpers.hpp.
#include "tests/integration/harness/ledger_helpers.hpp"

#include "tests/integration/harness/json_helpers.hpp"
#include "tests/integration/harness/test_storage.hpp"

#include <atomic>
#include <stdexcept>

namespace settle::integration {

namespace {

boost::json::object expect_object(const http_response& response, unsigned status, const std::string& what) {
  if (response.status != status) {
    throw std::runtime_error(what + ": expected " + std::to_string(status) + ", got " +
                             std::to_string(response.status) + ": " + response.body.substr(0, 1500));
  }
  return json_object(response);
}

}  // namespace

std::string unique_email() {
  static const std::string run = random_hex(8);
  static std::atomic<int> counter{0};
  return "user-" + run + "-" + std::to_string(++counter) + "@example.com";
}

boost::json::object create_user(api_client& client, const std::string& name) {
  const boost::json::object body{{"name", name}, {"email", unique_email()}};
  return expect_object(client.post("/v1/users", body), 201, "POST /v1/users");
}

boost::json::object create_account(api_client& client, const std::string& user_id, const std::string& currency,
                                   std::int64_t overdraft_limit) {
  const boost::json::object body{{"user_id", user_id}, {"currency", currency}, {"overdraft_limit", overdraft_limit}};
  return expect_object(client.post("/v1/accounts", body), 201, "POST /v1/accounts");
}

std::string new_account(api_client& client, const std::string& currency, std::int64_t overdraft_limit) {
  const auto user_id = string_field(create_user(client), "id");
  return string_field(create_account(client, user_id, currency, overdraft_limit), "id");
}

std::string funded_account(api_client& client, std::int64_t amount, const std::string& currency) {
  const auto account_id = new_account(client, currency);
  deposit(client, account_id, amount);
  return account_id;
}

boost::json::object deposit(api_client& client, const std::string& account_id, std::int64_t amount) {
  const auto target = "/v1/accounts/" + account_id + "/deposits";
  return expect_object(client.post(target, boost::json::object{{"amount", amount}}), 201, "POST " + target);
}

boost::json::object withdraw(api_client& client, const std::string& account_id, std::int64_t amount) {
  const auto target = "/v1/accounts/" + account_id + "/withdrawals";
  return expect_object(client.post(target, boost::json::object{{"amount", amount}}), 201, "POST " + target);
}

boost::json::object transfer_request(const std::string& from_account, const std::string& to_account,
                                     std::int64_t amount, const std::string& currency) {
  return {{"from_account", from_account}, {"to_account", to_account}, {"amount", amount}, {"currency", currency}};
}

http_response post_transfer(api_client& client, const std::string& from_account, const std::string& to_account,
                            std::int64_t amount, const std::string& currency) {
  return client.post("/v1/transfers", transfer_request(from_account, to_account, amount, currency));
}

boost::json::object order_request(const std::string& payer_account, const std::string& payee_account,
                                  std::int64_t amount, const std::string& capture_method,
                                  const std::string& currency) {
  return {{"payer_account", payer_account},
          {"payee_account", payee_account},
          {"amount", amount},
          {"currency", currency},
          {"capture_method", capture_method}};
}

std::string account_path(const std::string& account_id) {
  return "/v1/accounts/" + account_id;
}

std::string order_path(const std::string& order_id) { return "/v1/orders/" + order_id; }

boost::json::object create_order(api_client& client, const boost::json::object& request) {
  return expect_object(client.post("/v1/orders", request), 201, "POST /v1/orders");
}

boost::json::object order_action(api_client& client, const std::string& order_id, const std::string& action,
                                 const boost::json::object& body) {
  const auto target = order_path(order_id) + "/" + action;
  return expect_object(client.post(target, body), 200, "POST " + target);
}

boost::json::object get_object(api_client& client, const std::string& target) {
  return expect_object(client.get(target), 200, "GET " + target);
}

std::int64_t balance_of(api_client& client, const std::string& account_id) {
  return integer_field(get_object(client, "/v1/accounts/" + account_id), "balance");
}

list_page get_list(api_client& client, const std::string& target) {
  const auto body = expect_object(client.get(target), 200, "GET " + target);
  if (keys_of(body) != key_set({"object", "data", "has_more"}) || string_field(body, "object") != "list" ||
      !body.at("data").is_array() || !body.at("has_more").is_bool()) {
    throw std::runtime_error("GET " + target + ": not a list object: " + boost::json::serialize(body));
  }
  list_page page;
  page.has_more = body.at("has_more").as_bool();
  for (const auto& element : body.at("data").as_array()) {
    if (!element.is_object()) {
      throw std::runtime_error("GET " + target + ": a list element is not an object");
    }
    page.data.push_back(element.as_object());
  }
  return page;
}

std::vector<boost::json::object> list_all(api_client& client, const std::string& target) {
  // A bound on the pages keeps a server that never ends a list from hanging the test.
  constexpr int page_limit = 1000;
  std::vector<boost::json::object> everything;
  auto page = get_list(client, with_query(target, "limit", "100"));
  for (int pages = 1;; ++pages) {
    everything.insert(everything.end(), page.data.begin(), page.data.end());
    if (!page.has_more || page.data.empty()) {
      return everything;
    }
    if (pages == page_limit) {
      throw std::runtime_error("GET " + target + ": more than " + std::to_string(page_limit) + " pages");
    }
    const auto last_id = string_field(page.data.back(), "id");
    page = get_list(client, with_query(with_query(target, "limit", "100"), "starting_after", last_id));
  }
}

std::string with_query(const std::string& target, const std::string& name, const std::string& value) {
  const char separator = target.find('?') == std::string::npos ? '?' : '&';
  return target + separator + name + "=" + value;
}

boost::json::object audit(api_client& admin) { return get_object(admin, "/v1/audit"); }

}  // namespace settle::integration
