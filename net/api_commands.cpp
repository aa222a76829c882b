// Request to command. Checks happen in the order a client can act on: the body is
// JSON, then no unknown field, then each field's presence and type, then its value.
#include "net/api_commands.hpp"

#include "domain/ids.hpp"
#include "domain/validation.hpp"
#include "domain/webhook_events.hpp"
#include "net/field_reader.hpp"
#include "net/strict_json.hpp"
#include "net/webhook_sender.hpp"
#include "net/webhook_signature.hpp"

#include <boost/json.hpp>

#include <charconv>

namespace settle::net {
namespace {

// The id in the route's path, as the kind of id the route names.
template <class Id>
Id path_id(const route_input& input) {
  return Id{input.path_parameters.at(0)};
}

namespace json = boost::json;

std::vector<std::string>& accepted_currencies() {
  static std::vector<std::string> currencies;
  return currencies;
}

// The body as a JSON object, or the failure. Empty bodies are `{}` where allowed.
std::variant<json::object, failure> body_object(std::string_view body, bool empty_allowed) {
  if (body.empty() && empty_allowed) {
    return json::object{};
  }
  std::string why;
  auto value = parse_strict_json(body, why);
  if (!value) {
    return make_failure(settle_errc::malformed_json, why);
  }
  if (!value->is_object()) {
    return make_failure(settle_errc::malformed_json, "the body must be a JSON object");
  }
  return std::move(value->get_object());
}

// Refuses query parameters the endpoint does not define.
std::optional<failure> check_query(const query_parameters& query,
                                   std::initializer_list<std::string_view> known) {
  for (const auto& [name, value] : query) {
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      return make_failure(settle_errc::unknown_parameter, "unknown query parameter: " + name, name);
    }
  }
  return std::nullopt;
}

std::string query_value(const query_parameters& query, std::string_view name) {
  for (const auto& [key, value] : query) {
    if (key == name) {
      return value;
    }
  }
  return {};
}

bool has_query(const query_parameters& query, std::string_view name) {
  return std::any_of(query.begin(), query.end(), [&](const auto& pair) { return pair.first == name; });
}

// limit and starting_after, plus the endpoint's filter parameter when it has one.
std::variant<list_parameters, failure> read_page(const query_parameters& query,
                                                 std::initializer_list<std::string_view> known) {
  if (auto unknown = check_query(query, known)) {
    return *unknown;
  }
  list_parameters page;
  page.limit = default_list_limit;
  if (has_query(query, "limit")) {
    auto text = query_value(query, "limit");
    std::int64_t limit = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), limit);
    if (error != std::errc{} || end != text.data() + text.size()) {
      return make_failure(settle_errc::invalid_parameter, "limit must be an integer from 1 to 100",
                          "limit");
    }
    if (auto invalid = validate_list_limit(limit)) {
      return *invalid;
    }
    page.limit = limit;
  }
  page.starting_after = query_value(query, "starting_after");
  if (has_query(query, "starting_after") && !looks_like_id(page.starting_after, "")) {
    return make_failure(settle_errc::invalid_parameter, "starting_after must name an object",
                        "starting_after");
  }
  return page;
}

// Runs a list builder: reads the page, then makes the command with it.
template <class Make>
built_command list_command(const route_input& input, std::initializer_list<std::string_view> known,
                           Make make) {
  auto page = read_page(input.query, known);
  if (auto* reason = std::get_if<failure>(&page)) {
    return *reason;
  }
  return command{make(std::get<list_parameters>(page))};
}

std::optional<failure> first_of(std::initializer_list<validation_result> results) {
  for (const auto& result : results) {
    if (result) {
      return result;
    }
  }
  return std::nullopt;
}

std::optional<failure> refuse_query(const route_input& input) {
  return check_query(input.query, {});
}

// Reads the fields of a transfer (single, or one item of a batch).
std::variant<create_transfer_command, failure> read_transfer(const json::object& object) {
  field_reader fields{object, {"from_account", "to_account", "amount", "currency", "description"}};
  create_transfer_command transfer;
  transfer.from_account = account_id{fields.text("from_account", true)};
  transfer.to_account = account_id{fields.text("to_account", true)};
  transfer.amount = fields.integer("amount", true);
  transfer.currency = fields.text("currency", true);
  transfer.description = fields.text("description", false);
  if (fields.failed()) {
    return *fields.failed();
  }
  if (auto invalid = first_of({validate_amount(transfer.amount),
                               validate_currency(transfer.currency, accepted_currencies()),
                               validate_description(transfer.description)})) {
    return *invalid;
  }
  if (transfer.from_account == transfer.to_account) {
    return make_failure(settle_errc::same_account, "from_account and to_account must differ",
                        "to_account");
  }
  return transfer;
}

// Reads a deposit's or a withdrawal's body.
built_command external_movement(const route_input& input, bool deposit) {
  if (auto unknown = refuse_query(input)) {
    return *unknown;
  }
  auto body = body_object(input.body, false);
  if (auto* reason = std::get_if<failure>(&body)) {
    return *reason;
  }
  field_reader fields{std::get<json::object>(body), {"amount"}};
  external_movement_command movement;
  movement.account_id = path_id<account_id>(input);
  movement.amount = fields.integer("amount", true);
  movement.deposit = deposit;
  if (fields.failed()) {
    return *fields.failed();
  }
  if (auto invalid = validate_amount(movement.amount)) {
    return *invalid;
  }
  return command{movement};
}

// An action on an order: the body is empty or an object, with `amount` where allowed.
built_command read_order_action(const route_input& input, order_action action,
                                bool takes_amount) {
  if (auto unknown = refuse_query(input)) {
    return *unknown;
  }
  auto body = body_object(input.body, true);
  if (auto* reason = std::get_if<failure>(&body)) {
    return *reason;
  }
  const auto& object = std::get<json::object>(body);
  field_reader fields = takes_amount ? field_reader{object, {"amount"}} : field_reader{object, {}};
  order_action_command requested;
  requested.id = path_id<order_id>(input);
  requested.action = action;
  requested.has_amount = takes_amount && fields.has("amount");
  requested.amount = takes_amount ? fields.integer("amount", false) : 0;
  if (fields.failed()) {
    return *fields.failed();
  }
  if (requested.has_amount) {
    if (auto invalid = validate_amount(requested.amount)) {
      return *invalid;
    }
  }
  return command{requested};
}

} // namespace

void set_accepted_currencies(std::vector<std::string> currencies) {
  accepted_currencies() = std::move(currencies);
}

built_command build_create_user(const route_input& input) {
  if (auto unknown = refuse_query(input)) {
    return *unknown;
  }
  auto body = body_object(input.body, false);
  if (auto* reason = std::get_if<failure>(&body)) {
    return *reason;
  }
  field_reader fields{std::get<json::object>(body), {"name", "email"}};
  create_user_command user{fields.text("name", true), fields.text("email", true)};
  if (fields.failed()) {
    return *fields.failed();
  }
  if (auto invalid = first_of({validate_name(user.name), validate_email(user.email)})) {
    return *invalid;
  }
  return command{user};
}

built_command build_list_users(const route_input& input) {
  return list_command(input, {"limit", "starting_after"},
                      [](list_parameters page) { return list_users_command{page}; });
}

built_command build_get_user(const route_input& input) {
  if (auto unknown = refuse_query(input)) {
    return *unknown;
  }
  return command{get_user_command{path_id<user_id>(input)}};
}

built_command build_update_user(const route_input& input) {
  if (auto unknown = refuse_query(input)) {
    return *unknown;
  }
  auto body = body_object(input.body, false);
  if (auto* reason = std::get_if<failure>(&body)) {
    return *reason;
  }
  field_reader fields{std::get<json::object>(body), {"name", "email"}};
  update_user_command update;
  update.id = path_id<user_id>(input);
  auto& changes = update.changes;
  changes.has_name = fields.has("name");
  changes.name = fields.text("name", false);
  changes.has_email = fields.has("email");
  changes.email = fields.text("email", false);
  if (fields.failed()) {
    return *fields.failed();
  }
  if (auto invalid = first_of({changes.has_name ? validate_name(changes.name) : std::nullopt,
                               changes.has_email ? validate_email(changes.email) : std::nullopt})) {
    return *invalid;
  }
  return command{update};
}

built_command build_delete_user(const route_input& input) {
  if (auto unknown = refuse_query(input)) {
    return *unknown;
  }
  return command{delete_user_command{path_id<user_id>(input)}};
}

built_command build_create_account(const route_input& input) {
  if (auto unknown = refuse_query(input)) {
    return *unknown;
  }
  auto body = body_object(input.body, false);
  if (auto* reason = std::get_if<failure>(&body)) {
    return *reason;
  }
  field_reader fields{std::get<json::object>(body), {"user_id", "currency", "overdraft_limit"}};
  create_account_command account;
  account.user_id = user_id{fields.text("user_id", true)};
  account.currency = fields.text("currency", true);
  account.overdraft_limit = fields.integer("overdraft_limit", false, 0);
  if (fields.failed()) {
    return *fields.failed();
  }
  if (auto invalid = first_of({validate_currency(account.currency, accepted_currencies()),
                               validate_overdraft_limit(account.overdraft_limit)})) {
    return *invalid;
  }
  return command{account};
}

built_command build_list_accounts(const route_input& input) {
  auto user_id = query_value(input.query, "user_id");
  return list_command(input, {"limit", "starting_after", "user_id"}, [&](list_parameters page) {
    return list_accounts_command{settle::user_id{user_id}, page};
  });
}

built_command build_get_account(const route_input& input) {
  if (auto unknown = refuse_query(input)) {
    return *unknown;
  }
  return command{get_account_command{path_id<account_id>(input)}};
}

built_command build_close_account(const route_input& input) {
  if (auto unknown = refuse_query(input)) {
    return *unknown;
  }
  return command{close_account_command{path_id<account_id>(input)}};
}

built_command build_deposit(const route_input& input) {
  return external_movement(input, true);
}

built_command build_withdrawal(const route_input& input) {
  return external_movement(input, false);
}

built_command build_list_entries(const route_input& input) {
  auto account = path_id<account_id>(input);
  return list_command(input, {"limit", "starting_after"}, [&](list_parameters page) {
    return list_entries_command{account, page};
  });
}

built_command build_create_transfer(const route_input& input) {
  if (auto unknown = refuse_query(input)) {
    return *unknown;
  }
  auto body = body_object(input.body, false);
  if (auto* reason = std::get_if<failure>(&body)) {
    return *reason;
  }
  auto transfer = read_transfer(std::get<json::object>(body));
  if (auto* reason = std::get_if<failure>(&transfer)) {
    return *reason;
  }
  return command{std::get<create_transfer_command>(transfer)};
}

built_command build_list_transfers(const route_input& input) {
  auto account = query_value(input.query, "account");
  return list_command(input, {"limit", "starting_after", "account"}, [&](list_parameters page) {
    return list_transfers_command{account_id{account}, page};
  });
}

built_command build_transfer_batch(const route_input& input) {
  if (auto unknown = refuse_query(input)) {
    return *unknown;
  }
  auto body = body_object(input.body, false);
  if (auto* reason = std::get_if<failure>(&body)) {
    return *reason;
  }
  field_reader fields{std::get<json::object>(body), {"atomic", "transfers"}};
  transfer_batch_command batch;
  batch.atomic = fields.boolean("atomic", false, false);
  const auto* items = fields.array("transfers", true);
  if (fields.failed()) {
    return *fields.failed();
  }
  if (items->empty() || items->size() > maximum_batch_items) {
    return make_failure(settle_errc::invalid_parameter,
                        "transfers must hold 1 to 1000 transfers", "transfers");
  }
  for (const auto& item : *items) {
    batch_item entry;
    if (!item.is_object()) {
      entry.invalid = make_failure(settle_errc::invalid_parameter,
                                   "each transfer must be a JSON object", "transfers");
    } else {
      auto transfer = read_transfer(item.get_object());
      if (auto* reason = std::get_if<failure>(&transfer)) {
        entry.invalid = *reason;
      } else {
        entry.transfer = std::get<create_transfer_command>(transfer);
      }
    }
    batch.items.push_back(std::move(entry));
  }
  return command{std::move(batch)};
}

built_command build_get_transfer(const route_input& input) {
  if (auto unknown = refuse_query(input)) {
    return *unknown;
  }
  const auto& id = input.path_parameters.at(0);
  if (!looks_like_id(id, "trf_")) {
    return make_failure(settle_errc::not_found, "no such transfer");
  }
  return command{get_transfer_command{transfer_id{id}}};
}

built_command build_create_order(const route_input& input) {
  if (auto unknown = refuse_query(input)) {
    return *unknown;
  }
  auto body = body_object(input.body, false);
  if (auto* reason = std::get_if<failure>(&body)) {
    return *reason;
  }
  field_reader fields{std::get<json::object>(body),
                      {"payer_account", "payee_account", "amount", "currency", "description",
                       "capture_method", "authorization_ttl_s"}};
  create_order_command order;
  order.payer_account = account_id{fields.text("payer_account", true)};
  order.payee_account = account_id{fields.text("payee_account", true)};
  order.amount = fields.integer("amount", true);
  order.currency = fields.text("currency", true);
  order.description = fields.text("description", false);
  auto method = fields.text("capture_method", true);
  order.authorization_ttl_seconds =
    fields.integer("authorization_ttl_s", false, default_authorization_ttl_seconds);
  if (fields.failed()) {
    return *fields.failed();
  }
  auto capture = parse_capture_method(method);
  if (!capture) {
    return make_failure(settle_errc::invalid_parameter,
                        "capture_method must be automatic or manual", "capture_method");
  }
  order.capture = *capture;
  if (order.authorization_ttl_seconds < 1
      || order.authorization_ttl_seconds > maximum_authorization_ttl_seconds) {
    return make_failure(settle_errc::invalid_parameter,
                        "authorization_ttl_s must be from 1 to 604800 seconds",
                        "authorization_ttl_s");
  }
  if (auto invalid = first_of({validate_amount(order.amount),
                               validate_currency(order.currency, accepted_currencies()),
                               validate_description(order.description)})) {
    return *invalid;
  }
  if (order.payer_account == order.payee_account) {
    return make_failure(settle_errc::same_account, "payer_account and payee_account must differ",
                        "payee_account");
  }
  return command{order};
}

built_command build_list_orders(const route_input& input) {
  auto account = query_value(input.query, "account");
  auto status = query_value(input.query, "status");
  if (auto unknown = check_query(input.query, {"limit", "starting_after", "account", "status"})) {
    return *unknown;
  }
  if (has_query(input.query, "status") && !parse_order_status(status)) {
    return make_failure(settle_errc::invalid_parameter, "status names no order status", "status");
  }
  return list_command(input, {"limit", "starting_after", "account", "status"},
                      [&](list_parameters page) {
                        return list_orders_command{account_id{account}, status, page};
                      });
}

built_command build_get_order(const route_input& input) {
  if (auto unknown = refuse_query(input)) {
    return *unknown;
  }
  return command{get_order_command{path_id<order_id>(input)}};
}

built_command build_update_order(const route_input& input) {
  if (auto unknown = refuse_query(input)) {
    return *unknown;
  }
  auto body = body_object(input.body, false);
  if (auto* reason = std::get_if<failure>(&body)) {
    return *reason;
  }
  field_reader fields{std::get<json::object>(body), {"description"}};
  update_order_command update{path_id<order_id>(input), fields.text("description", true)};
  if (fields.failed()) {
    return *fields.failed();
  }
  if (auto invalid = validate_description(update.description)) {
    return *invalid;
  }
  return command{update};
}

built_command build_delete_order(const route_input& input) {
  return read_order_action(input, order_action::cancel, false);
}

built_command build_confirm_order(const route_input& input) {
  return read_order_action(input, order_action::confirm, false);
}

built_command build_capture_order(const route_input& input) {
  return read_order_action(input, order_action::capture, true);
}

built_command build_cancel_order(const route_input& input) {
  return read_order_action(input, order_action::cancel, false);
}

built_command build_refund_order(const route_input& input) {
  return read_order_action(input, order_action::refund, true);
}

built_command build_list_events(const route_input& input) {
  if (auto unknown = check_query(input.query, {"after", "limit"})) {
    return *unknown;
  }
  list_events_command events;
  for (auto [name, target] : {std::pair<const char*, std::int64_t*>{"after", &events.after},
                              std::pair<const char*, std::int64_t*>{"limit", &events.limit}}) {
    if (!has_query(input.query, name)) {
      continue;
    }
    auto text = query_value(input.query, name);
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), *target);
    if (error != std::errc{} || end != text.data() + text.size() || *target < 0) {
      return make_failure(settle_errc::invalid_parameter,
                          std::string{name} + " must be a non-negative integer", name);
    }
  }
  if (auto invalid = validate_list_limit(events.limit)) {
    return *invalid;
  }
  return command{events};
}

built_command build_audit(const route_input& input) {
  if (auto unknown = refuse_query(input)) {
    return *unknown;
  }
  return command{audit_command{}};
}

built_command build_cluster(const route_input& input) {
  if (auto unknown = refuse_query(input)) {
    return *unknown;
  }
  return command{cluster_command{}};
}

namespace {

// `events`: an array of filter strings. Nothing when it is absent or not such an array
// (the reader then holds the failure, if it is one).
std::optional<std::vector<std::string>> read_filters(field_reader& fields, bool required) {
  const auto* array = fields.array("events", required);
  if (array == nullptr) {
    return std::nullopt;
  }
  std::vector<std::string> filters;
  for (const auto& item : *array) {
    if (!item.is_string()) {
      fields.fail(make_failure(settle_errc::invalid_parameter,
                               "events must be an array of event names", "events"));
      return std::nullopt;
    }
    filters.emplace_back(item.get_string());
  }
  return filters;
}

// The URL's form; where its host leads is checked by the node (webhook_sender).
validation_result validate_webhook_url(const std::string& url) {
  std::string why;
  if (!parse_webhook_url(url, why)) {
    return make_failure(settle_errc::invalid_parameter, why, "url");
  }
  return std::nullopt;
}

// The JSON object of a webhook request's body, or the failure.
std::variant<json::object, failure> webhook_body(const route_input& input) {
  if (auto unknown = refuse_query(input)) {
    return *unknown;
  }
  return body_object(input.body, false);
}

} // namespace

built_command build_create_webhook_endpoint(const route_input& input) {
  auto body = webhook_body(input);
  if (auto* reason = std::get_if<failure>(&body)) {
    return *reason;
  }
  field_reader fields{std::get<json::object>(body), {"url", "events", "description"}};
  create_webhook_endpoint_command endpoint;
  endpoint.url = fields.text("url", true);
  auto filters = read_filters(fields, true);
  endpoint.description = fields.text("description", false);
  if (fields.failed()) {
    return *fields.failed();
  }
  endpoint.events = std::move(*filters);
  if (auto invalid = first_of({validate_webhook_url(endpoint.url),
                               validate_event_filters(endpoint.events),
                               validate_description(endpoint.description)})) {
    return *invalid;
  }
  endpoint.secret = generate_webhook_secret();
  return command{std::move(endpoint)};
}

built_command build_list_webhook_endpoints(const route_input& input) {
  return list_command(input, {"limit", "starting_after"},
                      [](list_parameters page) { return list_webhook_endpoints_command{page}; });
}

built_command build_get_webhook_endpoint(const route_input& input) {
  if (auto unknown = refuse_query(input)) {
    return *unknown;
  }
  return command{get_webhook_endpoint_command{path_id<webhook_endpoint_id>(input)}};
}

built_command build_update_webhook_endpoint(const route_input& input) {
  auto body = webhook_body(input);
  if (auto* reason = std::get_if<failure>(&body)) {
    return *reason;
  }
  field_reader fields{std::get<json::object>(body), {"url", "events", "description", "status"}};
  webhook_changes changes;
  changes.has_url = fields.has("url");
  changes.url = fields.text("url", false);
  auto filters = read_filters(fields, false);
  changes.has_description = fields.has("description");
  changes.description = fields.text("description", false);
  changes.has_status = fields.has("status");
  auto status = fields.text("status", false);
  if (fields.failed()) {
    return *fields.failed();
  }
  changes.has_events = filters.has_value();
  changes.events = filters.value_or(std::vector<std::string>{});
  if (auto invalid = first_of({changes.has_url ? validate_webhook_url(changes.url) : std::nullopt,
                               changes.has_events ? validate_event_filters(changes.events)
                                                  : std::nullopt,
                               validate_description(changes.description)})) {
    return *invalid;
  }
  if (changes.has_status) {
    auto parsed = parse_webhook_status(status);
    if (!parsed) {
      return make_failure(settle_errc::invalid_parameter, "status must be enabled or disabled",
                          "status");
    }
    changes.status = *parsed;
  }
  return command{update_webhook_endpoint_command{path_id<webhook_endpoint_id>(input), changes}};
}

built_command build_delete_webhook_endpoint(const route_input& input) {
  if (auto unknown = refuse_query(input)) {
    return *unknown;
  }
  return command{delete_webhook_endpoint_command{path_id<webhook_endpoint_id>(input)}};
}

built_command build_list_webhook_deliveries(const route_input& input) {
  auto endpoint = path_id<webhook_endpoint_id>(input);
  return list_command(input, {"limit", "starting_after"}, [&](list_parameters page) {
    return list_webhook_deliveries_command{endpoint, page};
  });
}

built_command build_retry_webhook_delivery(const route_input& input) {
  if (auto unknown = refuse_query(input)) {
    return *unknown;
  }
  if (!input.body.empty()) {
    auto body = body_object(input.body, true);
    if (auto* reason = std::get_if<failure>(&body)) {
      return *reason;
    }
    field_reader fields{std::get<json::object>(body), {}};
    if (fields.failed()) {
      return *fields.failed();
    }
  }
  return command{retry_webhook_delivery_command{
    path_id<webhook_endpoint_id>(input), webhook_delivery_id{input.path_parameters.at(1)}}};
}

} // namespace settle::net
