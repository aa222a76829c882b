#include "client_model.hpp"

#include "simulated_node.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <set>

namespace settle::simulation {
namespace {

namespace json = boost::json;

constexpr std::size_t users_per_tenant = 2;
constexpr std::size_t accounts_per_tenant = 4;

std::string text_field(const json::object& object, const char* name) {
  const auto* value = object.if_contains(name);
  return value && value->is_string() ? std::string{value->as_string()} : std::string{};
}

std::int64_t integer_field(const json::object& object, const char* name) {
  const auto* value = object.if_contains(name);
  return value && value->is_int64() ? value->as_int64() : -1;
}

bool is_success(unsigned status) {
  return status >= 200 && status < 300;
}

// What a retry of the same command must look like to the node: the same body.
std::string fingerprint_of(const command& what, const std::vector<std::string>& descriptions) {
  std::string fingerprint = std::to_string(what.index());
  for (const auto& description : descriptions) {
    fingerprint += "|" + description;
  }
  return fingerprint;
}

} // namespace

client_model::client_model(const memory_database& database, seeded_random& random)
  : database_(database), random_(random), tenants_{tenant_name{"tenant_a"}, tenant_name{"tenant_b"}} {}

void client_model::fail(std::string violation) {
  if (!violation_) {
    violation_ = std::move(violation);
  }
}

command client_model::setup_command(const tenant_name& tenant, bool& needed) {
  needed = true;
  const auto& users = users_[tenant];
  if (users.size() < users_per_tenant) {
    return create_user_command{"Simulated " + tenant.value, tenant.value + "@example.com"};
  }
  auto owned = std::count_if(accounts_.begin(), accounts_.end(),
                             [&tenant](const known_account& account) { return account.tenant == tenant; });
  if (static_cast<std::size_t>(owned) < accounts_per_tenant) {
    create_account_command account;
    account.user_id = users[static_cast<std::size_t>(owned) % users.size()];
    account.currency = owned % 2 == 0 ? "USD" : "EUR";
    account.overdraft_limit = random_.percent(25) ? 5000 : 0;
    return account;
  }
  needed = false;
  return {};
}

sent_request& client_model::next_request(std::uint64_t incarnation) {
  auto request = std::make_unique<sent_request>();
  request->number = sent_.size() + 1;
  request->incarnation = incarnation;
  request->tenant = random_.pick(tenants_);
  bool setting_up = false;
  request->what = setup_command(request->tenant, setting_up);
  if (!setting_up) {
    std::string description;
    request->what = random_command(request->tenant, description, request->descriptions);
    if (!description.empty()) {
      request->descriptions.insert(request->descriptions.begin(), description);
    }
  }
  request->fingerprint = fingerprint_of(request->what, request->descriptions);
  if (random_.percent(25)) {
    request->key = "key-" + std::to_string(request->number);
    // A repeat of an earlier keyed request: mostly the same command (a retry), else
    // another command under the same key (a client's mistake).
    std::vector<const sent_request*> keyed;
    for (const auto& earlier : sent_) {
      if (earlier->key && earlier->tenant == request->tenant) {
        keyed.push_back(earlier.get());
      }
    }
    if (!keyed.empty() && random_.percent(40)) {
      const auto* earlier = random_.pick(keyed);
      request->key = earlier->key;
      if (random_.percent(75)) {
        request->what = earlier->what;
        request->descriptions = earlier->descriptions;
        request->fingerprint = earlier->fingerprint;
      }
    }
  }
  if (random_.percent(15)) {
    request->gate = std::make_shared<commit_gate>();
  }
  sent_.push_back(std::move(request));
  return *sent_.back();
}

command client_model::random_command(tenant_name& tenant, std::string& description,
                                     std::vector<std::string>& items) {
  description = "r" + std::to_string(sent_.size() + 1);
  std::vector<const known_account*> own;
  for (const auto& account : accounts_) {
    if (account.tenant == tenant) {
      own.push_back(&account);
    }
  }
  const auto& from = *random_.pick(own);
  const auto& to = random_.pick(accounts_);
  auto choice = random_.below(100);
  if (choice < 15) {
    description.clear();
    return external_movement_command{from.id, random_.between(1, 200000), true};
  }
  if (choice < 23) {
    description.clear();
    return external_movement_command{from.id, random_.between(1, 50000), false};
  }
  if (choice < 55) {
    // The ingress requires a currency: the account's own, or now and then the other one.
    auto currency = random_.percent(90) ? from.currency : random_.pick(simulated_currencies());
    return create_transfer_command{from.id, to.id, random_.between(1, 60000), currency, description};
  }
  if (choice < 67) {
    transfer_batch_command batch;
    batch.atomic = random_.percent(50);
    auto count = random_.between(1, 5);
    for (std::int64_t index = 0; index < count; ++index) {
      auto item_description = description + "." + std::to_string(index);
      batch_item item;
      const auto& payer = *random_.pick(own);
      item.transfer = create_transfer_command{payer.id, random_.pick(accounts_).id,
                                              random_.between(1, 40000), payer.currency,
                                              item_description};
      if (random_.percent(15)) {
        item.invalid = failure{settle_errc::invalid_parameter, "simulated invalid item", "amount"};
      }
      items.push_back(item_description);
      batch.items.push_back(std::move(item));
    }
    description.clear();
    return batch;
  }
  if (choice < 80 || orders_.empty()) {
    create_order_command order;
    order.payer_account = from.id;
    order.payee_account = to.id;
    order.amount = random_.between(1, 50000);
    order.currency = from.currency;
    order.description = description;
    order.capture = random_.percent(50) ? capture_method::manual : capture_method::automatic;
    order.authorization_ttl_seconds = random_.between(1, 30);
    return order;
  }
  description.clear();
  const auto& order = random_.pick(orders_);
  order_action_command action;
  action.id = order.id;
  action.action = static_cast<order_action>(random_.below(4)); // confirm, capture, cancel, refund
  action.has_amount = random_.percent(40);
  action.amount = random_.between(1, 50000);
  // Refunds are the payee's; the rest the payer's; now and then the wrong tenant asks.
  bool payee = action.action == order_action::refund;
  if (random_.percent(10)) {
    payee = !payee;
  }
  tenant = payee ? order.payee_tenant : order.payer_tenant;
  return action;
}

void client_model::on_answer(std::uint64_t number, std::uint64_t incarnation,
                             const api_response& answer) {
  auto& request = *sent_.at(number - 1);
  if (request.incarnation != incarnation || request.timed_out) {
    return;
  }
  if (request.answered) {
    fail("request " + std::to_string(number) + " was answered twice");
    return;
  }
  request.answered = true;
  ++answered_;
  ++answers_by_status_[answer.status];
  check_answer(request, answer);
  if (is_success(answer.status)) {
    learn(request, answer);
  }
}

void client_model::check_answer(const sent_request& request, const api_response& answer) {
  auto context = "request " + std::to_string(request.number) + " (" + answer.body + ")";
  if (answer.status >= 500 && answer.status != 503) {
    fail("answered " + std::to_string(answer.status) + ": " + context);
    return;
  }
  if (!is_success(answer.status)) {
    return;
  }
  if (request.key) {
    auto [first, inserted] = replayed_bodies_.emplace(*request.key + "\n" + request.fingerprint,
                                                      answer.body);
    if (!inserted && first->second != answer.body) {
      fail("a repeat under the same key and body was not the first answer: " + context);
    }
    for (const auto& [key_and_body, body] : replayed_bodies_) {
      if (key_and_body.rfind(*request.key + "\n", 0) == 0 && key_and_body != first->first) {
        fail("two different bodies under one key both succeeded: " + context);
      }
    }
  }
  json::value body;
  try {
    body = json::parse(answer.body);
  } catch (const std::exception&) {
    fail("a success whose body is not JSON: " + context);
    return;
  }
  auto durable = [&](const json::object& object) {
    auto id = text_field(object, "id");
    auto object_kind = text_field(object, "object");
    if (object_kind == "transfer") {
      auto found = database_.transfers.find(transfer_id{id});
      return found != database_.transfers.end()
             && found->second.amount == integer_field(object, "amount");
    }
    if (object_kind == "order") {
      auto history = database_.order_history.find(order_id{id});
      if (history == database_.order_history.end()) {
        return false;
      }
      return std::any_of(history->second.begin(), history->second.end(), [&](const order_record& state) {
        return text_field(object, "status") == to_string(state.status)
               && integer_field(object, "amount_captured") == state.amount_captured
               && integer_field(object, "amount_refunded") == state.amount_refunded;
      });
    }
    if (object_kind == "user") {
      return database_.users.count(user_id{id}) == 1;
    }
    if (object_kind == "account") {
      return database_.accounts.count(account_id{id}) == 1;
    }
    return true;
  };
  const auto& object = body.as_object();
  if (const auto* results = object.if_contains("results")) {
    for (const auto& result : results->as_array()) {
      if (!durable(result.as_object())) {
        fail("a batch item acknowledged before it was durable: " + context);
      }
    }
  } else if (!durable(object)) {
    fail("acknowledged before it was durable: " + context);
  }
}

void client_model::learn(const sent_request& request, const api_response& answer) {
  auto object = json::parse(answer.body).as_object();
  auto id = text_field(object, "id");
  if (std::holds_alternative<create_user_command>(request.what)) {
    auto& users = users_[request.tenant];
    if (std::find(users.begin(), users.end(), user_id{id}) == users.end()) {
      users.push_back(user_id{id});
    }
  } else if (std::holds_alternative<create_account_command>(request.what)) {
    auto known = std::any_of(accounts_.begin(), accounts_.end(),
                             [&id](const known_account& account) { return account.id.value == id; });
    if (!known) {
      accounts_.push_back({account_id{id}, request.tenant, text_field(object, "currency")});
    }
  } else if (const auto* order = std::get_if<create_order_command>(&request.what)) {
    auto known = std::any_of(orders_.begin(), orders_.end(),
                             [&id](const known_order& known) { return known.id.value == id; });
    auto payee = std::find_if(accounts_.begin(), accounts_.end(), [order](const known_account& account) {
      return account.id == order->payee_account;
    });
    if (!known && payee != accounts_.end()) {
      orders_.push_back({order_id{id}, request.tenant, payee->tenant});
    }
  }
}

void client_model::time_out_one(std::uint64_t incarnation) {
  std::vector<sent_request*> waiting;
  for (auto& request : sent_) {
    if (request->gate && request->incarnation == incarnation && !request->answered
        && !request->timed_out) {
      waiting.push_back(request.get());
    }
  }
  if (waiting.empty()) {
    return;
  }
  auto* request = random_.pick(waiting);
  request->timed_out = request->gate->close();
}

bool client_model::awaits_answers(std::uint64_t incarnation) const {
  return std::any_of(sent_.begin(), sent_.end(), [incarnation](const auto& request) {
    return request->incarnation == incarnation && !request->answered && !request->timed_out;
  });
}

void client_model::check_effects() {
  auto count = [](const std::map<std::string, int>& counts, const std::string& description) {
    auto found = counts.find(description);
    return found == counts.end() ? 0 : found->second;
  };
  // A retry under the same key repeats the descriptions of a request that timed out,
  // and may take effect in its place.
  std::set<std::string> retried;
  for (const auto& request : sent_) {
    if (!request->timed_out) {
      retried.insert(request->descriptions.begin(), request->descriptions.end());
    }
  }
  for (const auto& request : sent_) {
    for (const auto& description : request->descriptions) {
      auto effects = count(database_.transfers_by_description, description)
                     + count(database_.orders_by_description, description);
      if (effects > 1) {
        fail("request " + std::to_string(request->number) + " took effect " + std::to_string(effects)
             + " times (" + description + ")");
      }
      if (request->timed_out && effects > 0 && retried.count(description) == 0) {
        fail("request " + std::to_string(request->number) + " was answered 503 for its timeout and"
             " still took effect (" + description + ")");
      }
    }
  }
}

} // namespace settle::simulation
