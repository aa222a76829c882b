// Bodies are built with Boost.JSON's DOM, so every string is escaped by the serializer.
#include "client/request_bodies.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

namespace settle::client {

namespace json = boost::json;

namespace {

template <class Value>
void set_if_given(json::object& body, std::string_view name, const std::optional<Value>& value) {
  if (value) {
    body[name] = *value;
  }
}

json::object transfer_object(const new_transfer& fields) {
  json::object body{{"from_account", fields.from_account},
                    {"to_account", fields.to_account},
                    {"amount", fields.amount},
                    {"currency", fields.currency}};
  set_if_given(body, "description", fields.description);
  return body;
}

} // namespace

std::string user_body(const new_user& fields) {
  return json::serialize(json::object{{"name", fields.name}, {"email", fields.email}});
}

std::string user_changes_body(const user_changes& changes) {
  json::object body;
  set_if_given(body, "name", changes.name);
  set_if_given(body, "email", changes.email);
  return json::serialize(body);
}

std::string account_body(const new_account& fields) {
  json::object body{{"user_id", fields.user_id}, {"currency", fields.currency}};
  set_if_given(body, "overdraft_limit", fields.overdraft_limit);
  return json::serialize(body);
}

std::string amount_body(std::int64_t amount) {
  return json::serialize(json::object{{"amount", amount}});
}

std::string optional_amount_body(std::optional<std::int64_t> amount) {
  json::object body;
  set_if_given(body, "amount", amount);
  return json::serialize(body);
}

std::string transfer_body(const new_transfer& fields) {
  return json::serialize(transfer_object(fields));
}

std::string batch_body(const std::vector<new_transfer>& transfers, bool atomic) {
  json::array items;
  items.reserve(transfers.size());
  for (const auto& fields : transfers) {
    items.push_back(transfer_object(fields));
  }
  return json::serialize(json::object{{"atomic", atomic}, {"transfers", std::move(items)}});
}

std::string order_body(const new_order& fields) {
  json::object body{{"payer_account", fields.payer_account},
                    {"payee_account", fields.payee_account},
                    {"amount", fields.amount},
                    {"currency", fields.currency},
                    {"capture_method", fields.capture_method}};
  set_if_given(body, "description", fields.description);
  if (fields.authorization_ttl) {
    body["authorization_ttl_s"] = fields.authorization_ttl->count();
  }
  return json::serialize(body);
}

std::string description_body(const std::string& description) {
  return json::serialize(json::object{{"description", description}});
}

} // namespace settle::client
