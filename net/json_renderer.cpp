// JSON objects exactly as API.md spells them: ids, `object` names, money as integers,
// timestamps in RFC 3339 with milliseconds, null where a reference is absent.
#include "net/json_renderer.hpp"

#include "domain/clock.hpp"
#include "domain/money.hpp"
#include "net/error_mapping.hpp"
#include "domain/json_writer.hpp"

#include <boost/json.hpp>

namespace settle::net {
namespace {

namespace json = boost::json;

json::value nullable(const std::string& text) {
  return text.empty() ? json::value(nullptr) : json::value(text);
}

json::object user_object(const user_record& user) {
  return {{"id", user.id.value},
          {"object", "user"},
          {"name", user.name},
          {"email", user.email},
          {"created_at", format_timestamp(user.created_at)}};
}

// Accounts, transfers and orders are rendered on every request and commit: written
// without a DOM.
std::string account_text(const account_record& account) {
  json_object_writer writer;
  writer.text("id", account.id)
    .text("object", "account")
    .nullable_text("user_id", account.user_id)
    .text("currency", account.currency)
    .integer("balance", account.balance)
    .integer("held", account.held);
  // Checked: a balance near the 64-bit limit must not wrap in the derived field.
  auto available = checked_add(account.balance, account.overdraft_limit);
  auto net_available = available ? checked_subtract(*available, account.held) : std::nullopt;
  if (net_available) {
    writer.integer("available", *net_available);
  } else {
    writer.null("available");
  }
  return writer.integer("overdraft_limit", account.overdraft_limit)
    .text("status", to_string(account.status))
    .text("created_at", format_timestamp(account.created_at))
    .finish();
}

std::string transfer_text(const transfer_record& transfer) {
  return json_object_writer{}
    .text("id", transfer.id)
    .text("object", "transfer")
    .text("kind", to_string(transfer.kind))
    .text("from_account", transfer.from_account)
    .text("to_account", transfer.to_account)
    .nullable_text("order_id", transfer.order_id)
    .integer("amount", transfer.amount)
    .text("currency", transfer.currency)
    .text("description", transfer.description)
    .text("status", "settled")
    .text("created_at", format_timestamp(transfer.created_at))
    .text("settled_at", format_timestamp(transfer.settled_at))
    .finish();
}

std::string order_text(const order_record& order) {
  json_object_writer writer;
  writer.text("id", order.id)
    .text("object", "order")
    .text("status", to_string(order.status))
    .text("payer_account", order.payer_account)
    .text("payee_account", order.payee_account)
    .integer("amount", order.amount)
    .text("currency", order.currency)
    .text("capture_method", to_string(order.capture))
    .integer("amount_authorized", order.amount_authorized)
    .integer("amount_captured", order.amount_captured)
    .integer("amount_refunded", order.amount_refunded)
    .text("description", order.description)
    .nullable_text("failure_code", order.failure_code);
  if (order.expires_at == 0) {
    writer.null("expires_at");
  } else {
    writer.text("expires_at", format_timestamp(order.expires_at));
  }
  return writer.text("created_at", format_timestamp(order.created_at))
    .text("updated_at", format_timestamp(order.updated_at))
    .finish();
}

json::object entry_object(const entry_record& entry) {
  return {{"id", entry.id.value},
          {"object", "entry"},
          {"account_id", entry.account_id.value},
          {"transfer_id", entry.transfer_id.value},
          {"order_id", nullable(entry.order_id.value)},
          {"kind", to_string(entry.kind)},
          {"amount", entry.amount},
          {"balance_after", entry.balance_after},
          {"created_at", format_timestamp(entry.created_at)}};
}

json::object webhook_endpoint_object(const webhook_endpoint_record& endpoint) {
  json::array events;
  for (const auto& filter : endpoint.events) {
    events.emplace_back(filter);
  }
  return {{"id", endpoint.id.value},
          {"object", "webhook_endpoint"},
          {"url", endpoint.url},
          {"events", std::move(events)},
          {"description", endpoint.description},
          {"status", to_string(endpoint.status)},
          {"created_at", format_timestamp(endpoint.created_at)}};
}

json::value nullable_timestamp(std::int64_t milliseconds) {
  return milliseconds == 0 ? json::value(nullptr) : json::value(format_timestamp(milliseconds));
}

json::object webhook_delivery_object(const webhook_delivery_record& delivery) {
  return {{"id", delivery.id.value},
          {"object", "webhook_delivery"},
          {"endpoint_id", delivery.endpoint_id.value},
          {"event_seq", delivery.event_seq},
          {"event", delivery.event},
          {"status", to_string(delivery.status)},
          {"attempts", delivery.attempts},
          {"last_status_code", delivery.last_status_code == 0
                                 ? json::value(nullptr)
                                 : json::value(delivery.last_status_code)},
          {"next_attempt_at", nullable_timestamp(delivery.next_attempt_at)},
          {"created_at", format_timestamp(delivery.created_at)}};
}

json::object error_object(const failure& reason) {
  const auto& mapping = mapping_of(reason.code);
  return {{"error",
           {{"type", mapping.type},
            {"code", mapping.api_code},
            {"message", reason.message},
            {"param", nullable(reason.param)}}}};
}

// A sum computed exactly by the database: a JSON integer when it fits in 64 bits, else
// its decimal text (only a broken ledger gets there).
json::value exact_integer(const std::string& decimal) {
  try {
    std::size_t used = 0;
    auto value = std::stoll(decimal, &used);
    if (used == decimal.size()) {
      return value;
    }
  } catch (const std::exception&) {
  }
  return json::value(decimal);
}

// A DOM-built object's text, for list_of.
template <class Make>
auto serialized(Make make) {
  return [make](const auto& record) { return json::serialize(make(record)); };
}

// `render` gives each item's text; the items are spliced in, not parsed again.
template <class Record, class Render>
std::string list_of(const std::vector<Record>& items, bool has_more, Render render) {
  std::string out = R"({"object":"list","data":[)";
  for (std::size_t i = 0; i < items.size(); ++i) {
    out += i == 0 ? "" : ",";
    out += render(items[i]);
  }
  out += std::string{R"(],"has_more":)"} + (has_more ? "true" : "false") + "}";
  return out;
}

template <class Record, class Render>
std::string list_of(const persistence::list_page<Record>& page, Render render) {
  return list_of(page.items, page.has_more, render);
}

} // namespace

std::string json_renderer::user(const user_record& user) const {
  return json::serialize(user_object(user));
}

std::string json_renderer::deleted_user(const user_record& user) const {
  return json::serialize(json::object{{"id", user.id.value}, {"object", "user"}, {"deleted", true}});
}

std::string json_renderer::account(const account_record& account) const {
  return account_text(account);
}

std::string json_renderer::transfer(const transfer_record& transfer) const {
  return transfer_text(transfer);
}

std::string json_renderer::order(const order_record& order) const {
  return order_text(order);
}

std::string json_renderer::orders(const persistence::list_page<order_record>& page) const {
  return list_of(page, order_text);
}

std::string json_renderer::users(const persistence::list_page<user_record>& page) const {
  return list_of(page, serialized(user_object));
}

std::string json_renderer::accounts(const persistence::list_page<account_record>& page) const {
  return list_of(page, account_text);
}

std::string json_renderer::transfers(const persistence::list_page<transfer_record>& page) const {
  return list_of(page, transfer_text);
}

std::string json_renderer::entries(const persistence::list_page<entry_record>& page) const {
  return list_of(page, serialized(entry_object));
}

std::string json_renderer::batch(const std::vector<batch_result>& results) const {
  std::string out = R"({"object":"batch","results":[)";
  for (std::size_t i = 0; i < results.size(); ++i) {
    out += i == 0 ? "" : ",";
    if (const auto* transfer = std::get_if<std::string>(&results[i])) {
      out += *transfer;
    } else {
      out += json::serialize(error_object(std::get<failure>(results[i])));
    }
  }
  out += "]}";
  return out;
}

std::string json_renderer::audit(const persistence::audit_report& report) const {
  json::array currencies;
  bool ok = report.mismatched_accounts.empty();
  for (const auto& currency : report.currencies) {
    ok = ok && currency.sum_of_balances == "0";
    currencies.push_back(json::object{{"currency", currency.currency},
                                      {"sum_of_balances", exact_integer(currency.sum_of_balances)},
                                      {"accounts", currency.accounts},
                                      {"entries", currency.entries}});
  }
  json::array mismatched;
  for (const auto& mismatch : report.mismatched_accounts) {
    mismatched.push_back(json::object{{"account_id", mismatch.account_id.value},
                                      {"balance", mismatch.balance},
                                      {"sum_of_entries", exact_integer(mismatch.sum_of_entries)}});
  }
  return json::serialize(json::object{
    {"ok", ok}, {"currencies", std::move(currencies)}, {"mismatched_accounts", std::move(mismatched)}});
}

std::string json_renderer::cluster(const std::string& node_id, std::uint32_t shard_count,
                                   const std::vector<cluster_member>& members) const {
  json::array nodes;
  for (const auto& member : members) {
    json::array shards;
    json::array leases;
    for (const auto& lease : member.leases) {
      shards.push_back(lease.shard);
      leases.push_back(json::object{{"shard", lease.shard}, {"epoch", lease.epoch}});
    }
    json::value address = nullptr;
    if (!member.address.empty()) {
      address = member.address;
    }
    nodes.push_back(json::object{{"id", member.id},
                                 {"address", std::move(address)},
                                 {"state", member.state},
                                 {"shards", std::move(shards)},
                                 {"leases", std::move(leases)}});
  }
  return json::serialize(json::object{
    {"node_id", node_id}, {"shard_count", shard_count}, {"nodes", std::move(nodes)}});
}

std::string json_renderer::readiness(bool ready) const {
  return json::serialize(json::object{{"status", ready ? "ok" : "unavailable"}});
}

// Events carry their object's JSON as stored; it is spliced in, not parsed again.
std::string json_renderer::events(const std::vector<persistence::event_record>& events,
                                  bool has_more) const {
  return list_of(events, has_more,
                 [this](const persistence::event_record& item) { return event(item); });
}

std::string json_renderer::event(const persistence::event_record& event) const {
  return R"({"type":"event","seq":)" + std::to_string(event.seq) + R"(,"event":)"
         + json::serialize(json::value(event.name)) + R"(,"object":)" + event.object
         + R"(,"at":")" + format_timestamp(event.at) + R"("})";
}

std::string json_renderer::webhook_endpoint(const webhook_endpoint_record& endpoint,
                                            bool with_secret) const {
  auto object = webhook_endpoint_object(endpoint);
  if (with_secret) {
    object["secret"] = endpoint.secret;
  }
  return json::serialize(object);
}

std::string
json_renderer::deleted_webhook_endpoint(const webhook_endpoint_record& endpoint) const {
  return json::serialize(json::object{
    {"id", endpoint.id.value}, {"object", "webhook_endpoint"}, {"deleted", true}});
}

std::string json_renderer::webhook_endpoints(
  const persistence::list_page<webhook_endpoint_record>& page) const {
  return list_of(page, serialized(webhook_endpoint_object));
}

std::string json_renderer::webhook_delivery(const webhook_delivery_record& delivery) const {
  return json::serialize(webhook_delivery_object(delivery));
}

std::string json_renderer::webhook_deliveries(
  const persistence::list_page<webhook_delivery_record>& page) const {
  return list_of(page, serialized(webhook_delivery_object));
}

std::string json_renderer::error(const failure& reason) const {
  return json::serialize(error_object(reason));
}

unsigned json_renderer::status_of(settle_errc code) const {
  return mapping_of(code).status;
}

std::string json_renderer::code_of(settle_errc code) const {
  return std::string{mapping_of(code).api_code};
}

} // namespace settle::net
