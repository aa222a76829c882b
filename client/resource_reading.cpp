// The readers are strict about presence and type, lenient about extra fields: a newer
// server may add fields, and this client must keep working with it.
#include "client/resource_reading.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <cstdint>

namespace settle::client {

namespace json = boost::json;

namespace {

const json::value& member(const json::object& json, std::string_view name) {
  auto found = json.find(name);
  if (found == json.end()) {
    throw protocol_error("the answer lacks the field \"" + std::string(name) + "\"");
  }
  return found->value();
}

std::string text(const json::object& json, std::string_view name) {
  const auto& value = member(json, name);
  if (!value.is_string()) {
    throw protocol_error("the field \"" + std::string(name) + "\" is not a string");
  }
  return std::string(value.get_string());
}

// A string field that may be null (or absent).
std::optional<std::string> nullable_text(const json::object& json, std::string_view name) {
  auto found = json.find(name);
  if (found == json.end() || found->value().is_null()) {
    return std::nullopt;
  }
  return text(json, name);
}

std::int64_t integer(const json::object& json, std::string_view name) {
  const auto& value = member(json, name);
  if (value.is_int64()) {
    return value.get_int64();
  }
  if (value.is_uint64() && value.get_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) {
    return static_cast<std::int64_t>(value.get_uint64());
  }
  throw protocol_error("the field \"" + std::string(name) + "\" is not a 64-bit integer");
}

std::optional<std::int64_t> nullable_integer(const json::object& json, std::string_view name) {
  auto found = json.find(name);
  if (found == json.end() || found->value().is_null()) {
    return std::nullopt;
  }
  return integer(json, name);
}

const json::object& object_member(const json::object& json, std::string_view name) {
  const auto& value = member(json, name);
  if (!value.is_object()) {
    throw protocol_error("the field \"" + std::string(name) + "\" is not an object");
  }
  return value.get_object();
}

const json::array& array_member(const json::object& json, std::string_view name) {
  const auto& value = member(json, name);
  if (!value.is_array()) {
    throw protocol_error("the field \"" + std::string(name) + "\" is not an array");
  }
  return value.get_array();
}

const json::object& as_object(const json::value& value) {
  if (!value.is_object()) {
    throw protocol_error("a list item is not an object");
  }
  return value.get_object();
}

} // namespace

json::object parse_object(std::string_view body) {
  json::error_code error;
  auto value = json::parse(body, error);
  if (error || !value.is_object()) {
    throw protocol_error("the answer is not a JSON object: " + std::string(body.substr(0, 200)));
  }
  return std::move(value.get_object());
}

user read_user(const json::object& json) {
  user read;
  read.id = text(json, "id");
  if (auto deleted = json.find("deleted"); deleted != json.end() && deleted->value() == true) {
    read.deleted = true;
    return read;
  }
  read.name = text(json, "name");
  read.email = text(json, "email");
  read.created_at = text(json, "created_at");
  return read;
}

account read_account(const json::object& json) {
  account read;
  read.id = text(json, "id");
  read.user_id = nullable_text(json, "user_id").value_or("");
  read.currency = text(json, "currency");
  read.balance = integer(json, "balance");
  read.held = integer(json, "held");
  read.available = nullable_integer(json, "available");
  read.overdraft_limit = integer(json, "overdraft_limit");
  read.status = text(json, "status");
  read.created_at = text(json, "created_at");
  return read;
}

entry read_entry(const json::object& json) {
  entry read;
  read.id = text(json, "id");
  read.account_id = text(json, "account_id");
  read.transfer_id = text(json, "transfer_id");
  read.order_id = nullable_text(json, "order_id");
  read.kind = text(json, "kind");
  read.amount = integer(json, "amount");
  read.balance_after = integer(json, "balance_after");
  read.created_at = text(json, "created_at");
  return read;
}

transfer read_transfer(const json::object& json) {
  transfer read;
  read.id = text(json, "id");
  read.kind = text(json, "kind");
  read.from_account = text(json, "from_account");
  read.to_account = text(json, "to_account");
  read.order_id = nullable_text(json, "order_id");
  read.amount = integer(json, "amount");
  read.currency = text(json, "currency");
  read.description = nullable_text(json, "description").value_or("");
  read.status = text(json, "status");
  read.created_at = text(json, "created_at");
  read.settled_at = text(json, "settled_at");
  return read;
}

order read_order(const json::object& json) {
  order read;
  read.id = text(json, "id");
  read.status = text(json, "status");
  read.payer_account = text(json, "payer_account");
  read.payee_account = text(json, "payee_account");
  read.amount = integer(json, "amount");
  read.currency = text(json, "currency");
  read.capture_method = text(json, "capture_method");
  read.amount_authorized = integer(json, "amount_authorized");
  read.amount_captured = integer(json, "amount_captured");
  read.amount_refunded = integer(json, "amount_refunded");
  read.description = nullable_text(json, "description").value_or("");
  read.failure_code = nullable_text(json, "failure_code");
  read.expires_at = nullable_text(json, "expires_at");
  read.created_at = text(json, "created_at");
  read.updated_at = text(json, "updated_at");
  return read;
}

error_details read_error_details(const json::object& json) {
  error_details read;
  read.type = nullable_text(json, "type").value_or("");
  read.code = text(json, "code");
  read.message = nullable_text(json, "message").value_or("");
  read.param = nullable_text(json, "param");
  return read;
}

event read_event(const json::object& json) {
  event read;
  read.seq = integer(json, "seq");
  read.name = text(json, "event");
  read.at = text(json, "at");
  const auto& object = object_member(json, "object");
  read.object_json = json::serialize(object);
  auto kind = nullable_text(object, "object").value_or("");
  if (kind == "user") {
    read.object = read_user(object);
  } else if (kind == "account") {
    read.object = read_account(object);
  } else if (kind == "transfer") {
    read.object = read_transfer(object);
  } else if (kind == "order") {
    read.object = read_order(object);
  }
  return read;
}

batch_result read_batch(const json::object& json) {
  batch_result read;
  for (const auto& item : array_member(json, "results")) {
    const auto& result = as_object(item);
    batch_item_result item_result;
    if (result.contains("error")) {
      item_result.error = read_error_details(object_member(result, "error"));
    } else {
      item_result.settled = read_transfer(result);
    }
    read.results.push_back(std::move(item_result));
  }
  return read;
}

template <class Resource>
page<Resource> read_page(const json::object& json, Resource (*read_item)(const json::object&)) {
  page<Resource> read;
  for (const auto& item : array_member(json, "data")) {
    read.data.push_back(read_item(as_object(item)));
  }
  const auto& has_more = member(json, "has_more");
  if (!has_more.is_bool()) {
    throw protocol_error("the field \"has_more\" is not a boolean");
  }
  read.has_more = has_more.get_bool();
  return read;
}

template page<user> read_page(const json::object&, user (*)(const json::object&));
template page<account> read_page(const json::object&, account (*)(const json::object&));
template page<entry> read_page(const json::object&, entry (*)(const json::object&));
template page<transfer> read_page(const json::object&, transfer (*)(const json::object&));
template page<order> read_page(const json::object&, order (*)(const json::object&));
template page<event> read_page(const json::object&, event (*)(const json::object&));

} // namespace settle::client
