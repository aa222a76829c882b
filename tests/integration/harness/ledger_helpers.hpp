// Shortcuts for the set-up steps of tests: make users and accounts, move money, read
// objects and walk lists. Each expects the success status of the contract and throws,
// quoting the response, otherwise.
#pragma once

#include "tests/integration/harness/api_client.hpp"

#include <boost/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace settle::integration {

// An email no other test uses.
std::string unique_email();

boost::json::object create_user(api_client& client, const std::string& name = "Ada Lovelace");
boost::json::object create_account(api_client& client, const std::string& user_id, const std::string& currency = "USD",
                                   std::int64_t overdraft_limit = 0);
// A new user with one new account; returns the account's id.
std::string new_account(api_client& client, const std::string& currency = "USD", std::int64_t overdraft_limit = 0);
// A new account holding `amount` from one deposit; returns the account's id.
std::string funded_account(api_client& client, std::int64_t amount, const std::string& currency = "USD");

boost::json::object deposit(api_client& client, const std::string& account_id, std::int64_t amount);
boost::json::object withdraw(api_client& client, const std::string& account_id, std::int64_t amount);

boost::json::object transfer_request(const std::string& from_account, const std::string& to_account,
                                     std::int64_t amount, const std::string& currency = "USD");
http_response post_transfer(api_client& client, const std::string& from_account, const std::string& to_account,
                            std::int64_t amount, const std::string& currency = "USD");

// The body of POST /v1/orders; `capture_method` is "manual" or "automatic".
boost::json::object order_request(const std::string& payer_account, const std::string& payee_account,
                                  std::int64_t amount, const std::string& capture_method = "manual",
                                  const std::string& currency = "USD");
// "/v1/accounts/<id>".
std::string account_path(const std::string& account_id);
// "/v1/orders/<id>".
std::string order_path(const std::string& order_id);
// POST /v1/orders that must answer 201; returns the order.
boost::json::object create_order(api_client& client, const boost::json::object& request);
// POST /v1/orders/{id}/{action} (confirm, capture, cancel, refunds) that must answer 200;
// returns the order.
boost::json::object order_action(api_client& client, const std::string& order_id, const std::string& action,
                                 const boost::json::object& body = {});

// GET that must answer 200 with an object.
boost::json::object get_object(api_client& client, const std::string& target);
std::int64_t balance_of(api_client& client, const std::string& account_id);

struct list_page {
  std::vector<boost::json::object> data;
  bool has_more = false;
};
// GET of a list that must answer 200 with exactly {"object": "list", "data", "has_more"}.
list_page get_list(api_client& client, const std::string& target);
// Every element of a list, newest first, following `starting_after` with limit=100.
std::vector<boost::json::object> list_all(api_client& client, const std::string& target);

// `target` with `name=value` appended to its query string.
std::string with_query(const std::string& target, const std::string& name, const std::string& value);

// GET /v1/audit with an admin client.
boost::json::object audit(api_client& admin);

}  // namespace settle::integration
