// The threads record every definitive answer; the order checks read the server's own
// lists of orders and transfers and compare them with those answers.
#include "tests/integration/harness/cluster_load.hpp"

#include "tests/integration/harness/json_helpers.hpp"
#include "tests/integration/harness/ledger_helpers.hpp"

#include <map>
#include <set>

namespace settle::integration {

namespace {

constexpr std::size_t retried_examples_kept = 3;

double seconds_of(std::chrono::steady_clock::duration duration) {
  return std::chrono::duration<double>(duration).count();
}

} // namespace

void retry_totals::add(const retried_answer& answer, const std::string& description) {
  ++requests;
  retried_requests += answer.attempts > 1 ? 1 : 0;
  unavailable_answers += answer.unavailable_answers;
  refused_connections += answer.refused_connections;
  lost_answers += answer.lost_answers;
  keys_in_use += answer.keys_in_use;
  longest_request = std::max(longest_request, answer.elapsed);
  // A few examples, and every request whose answer was lost (what a failure is about).
  if (answer.attempts > 1
      && (retried_examples.size() < retried_examples_kept || answer.lost_answers > 0)) {
    retried_examples.push_back(description + " (" + std::to_string(answer.attempts) +
                               " attempts in " + std::to_string(seconds_of(answer.elapsed)) +
                               " s, last failure: " + answer.last_failure + ")");
  }
  if (!answer.response) {
    given_up.push_back(description + " after " + std::to_string(answer.attempts) +
                       " attempts: " + answer.last_failure);
  }
  for (const auto& violation : answer.contract_violations) {
    contract_violations.push_back(description + ": " + violation);
  }
}

std::string retry_totals::describe() const {
  auto text = std::to_string(requests) + " requests, " + std::to_string(retried_requests) +
              " retried (" + std::to_string(unavailable_answers) + " answers 503/502/504, " +
              std::to_string(refused_connections) + " refused connections, " +
              std::to_string(lost_answers) + " answers lost, " + std::to_string(keys_in_use) +
              " keys in use), " + std::to_string(given_up.size()) +
              " given up; the longest request took " + std::to_string(seconds_of(longest_request)) +
              " s";
  for (const auto& example : retried_examples) {
    text += "\n  retried: " + example;
  }
  return text;
}

cluster_load::cluster_load(cluster_load_plan plan)
    : plan_(std::move(plan)) {
  for (std::size_t index = 0; index < plan_.base.threads; ++index) {
    threads_.emplace_back([this, index] { run_thread(index); });
  }
}

cluster_load::~cluster_load() {
  stopping_ = true;
  for (auto& thread : threads_) {
    if (thread.joinable()) {
      thread.join();
    }
  }
}

bool cluster_load::wait_for_completed(std::size_t count, std::chrono::milliseconds limit) const {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (completed() < count) {
    if (std::chrono::steady_clock::now() >= deadline) {
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

cluster_load_outcome cluster_load::finish() {
  for (auto& thread : threads_) {
    thread.join();
  }
  threads_.clear();
  std::lock_guard lock(mutex_);
  return outcome_;
}

void cluster_load::run_thread(std::size_t index) {
  retrying_client client(plan_.ports, plan_.base.key, plan_.retries);
  auto random = random_for_thread(plan_.base, index);
  const auto& base = plan_.base;
  for (std::size_t number = 0; base.transfers_per_thread == 0 || number < base.transfers_per_thread;
       ++number) {
    if (stopping_) {
      return;
    }
    const auto name =
        std::to_string(base.seed) + "-" + std::to_string(index) + "-" + std::to_string(number);
    const bool order = plan_.order_every > 0 && number % plan_.order_every == plan_.order_every - 1;
    if (order) {
      place_order(client, index + number, random_transfer(base, random, "cluster-order-" + name));
    } else {
      send_transfer(client, index + number,
                    random_transfer(base, random, "cluster-transfer-" + name));
    }
    ++completed_;
  }
}

void cluster_load::send_transfer(retrying_client& client, std::size_t first,
                                 const sent_transfer& sent) {
  const auto answer = client.post(first, "/v1/transfers", transfer_body(sent, plan_.base.currency),
                                  sent.description);
  std::lock_guard lock(mutex_);
  outcome_.retries.add(answer, sent.description);
  if (answer.response) {
    record_answer(outcome_.transfers, sent, *answer.response);
  } else {
    outcome_.transfers.unanswered.push_back(sent);
  }
}

void cluster_load::place_order(retrying_client& client, std::size_t first,
                               const sent_transfer& sent) {
  auto request = order_request(sent.from_account, sent.to_account, sent.amount, "automatic",
                               plan_.base.currency);
  request["description"] = sent.description;
  order_attempt attempt{sent, std::nullopt, std::nullopt};
  const auto creation = client.post(first, "/v1/orders", request, sent.description);
  attempt.creation = creation.response;
  std::optional<retried_answer> confirmation;
  if (creation.response && creation.response->status == 201) {
    const auto order_id = string_field(json_object(*creation.response), "id");
    // The next port, so that an order's two steps usually meet two different nodes.
    confirmation = client.post(first + 1, "/v1/orders/" + order_id + "/confirm",
                               boost::json::object{}, sent.description + "-confirm");
    attempt.confirmation = confirmation->response;
  }
  std::lock_guard lock(mutex_);
  outcome_.retries.add(creation, sent.description);
  if (confirmation) {
    outcome_.retries.add(*confirmation, sent.description + " (confirm)");
  }
  outcome_.orders.push_back(std::move(attempt));
}

namespace {

using order_map = std::map<std::string, boost::json::object>;

// Every order the server lists for the accounts, by id.
order_map orders_of_accounts(api_client& tenant, const std::vector<std::string>& accounts) {
  order_map stored;
  for (const auto& account : accounts) {
    for (auto& order : list_all(tenant, "/v1/orders?account=" + account)) {
      stored.emplace(string_field(order, "id"), order);
    }
  }
  return stored;
}

// The status an order must have after its answers, or none when they leave it open.
std::optional<std::string> expected_status(const order_attempt& attempt,
                                           std::vector<std::string>& problems) {
  if (!attempt.confirmation) {
    return std::nullopt;
  }
  const auto status = attempt.confirmation->status;
  if (status == 200) {
    return "settled";
  }
  if (status == 402) {
    return "failed";
  }
  problems.push_back(attempt.sent.description + ": confirm answered " + std::to_string(status) +
                     " " + attempt.confirmation->body.substr(0, 300));
  return std::nullopt;
}

// Checks each created order against its answers; returns the ids of those created.
std::map<std::string, const order_attempt*>
check_created_orders(const order_map& stored, const std::vector<order_attempt>& orders,
                     std::vector<std::string>& problems) {
  std::map<std::string, const order_attempt*> created;
  for (const auto& attempt : orders) {
    if (!attempt.creation) {
      continue;
    }
    if (attempt.creation->status != 201) {
      problems.push_back(attempt.sent.description + ": creation answered " +
                         std::to_string(attempt.creation->status) + " " +
                         attempt.creation->body.substr(0, 300));
      continue;
    }
    const auto id = string_field(json_object(*attempt.creation), "id");
    created.emplace(id, &attempt);
    const auto found = stored.find(id);
    const auto status = expected_status(attempt, problems);
    if (found == stored.end()) {
      problems.push_back("order " + id + " was answered 201 but is not listed");
    } else if (status && string_field(found->second, "status") != *status) {
      problems.push_back("order " + id + " is " + string_field(found->second, "status") +
                         " but its confirmation said " + *status);
    }
  }
  return created;
}

// No description twice, and none that the load did not leave unanswered.
void check_orders_not_doubled(const order_map& stored,
                              const std::map<std::string, const order_attempt*>& created,
                              const std::vector<order_attempt>& orders,
                              std::vector<std::string>& problems) {
  std::multiset<std::string> unanswered;
  for (const auto& attempt : orders) {
    if (!attempt.creation) {
      unanswered.insert(attempt.sent.description);
    }
  }
  for (const auto& [id, order] : stored) {
    const auto& description = order.at("description");
    if (created.count(id)) {
      continue;
    }
    const auto found = description.is_string()
                           ? unanswered.find(std::string(description.as_string()))
                           : unanswered.end();
    if (found != unanswered.end()) {
      unanswered.erase(found); // one stored order per unanswered creation, not two
    } else {
      problems.push_back("stored order " + id + " was neither answered 201 nor left unanswered: " +
                         boost::json::serialize(order));
    }
  }
}

void check_captures(const transfer_map& stored, const order_map& orders,
                    std::vector<std::string>& problems) {
  std::map<std::string, std::size_t> captures;
  for (const auto& [id, transfer] : stored) {
    if (string_field(transfer, "kind") != "capture") {
      continue;
    }
    const auto order_id =
        transfer.at("order_id").is_string() ? std::string(transfer.at("order_id").as_string()) : "";
    ++captures[order_id];
    const auto order = orders.find(order_id);
    if (order == orders.end()) {
      problems.push_back("capture " + id +
                         " names no order of the load: " + boost::json::serialize(transfer));
    } else if (integer_field(transfer, "amount") != integer_field(order->second, "amount")) {
      problems.push_back("capture " + id + " moved another amount than its order's");
    }
  }
  for (const auto& [id, order] : orders) {
    const std::size_t expected = string_field(order, "status") == "settled" ? 1 : 0;
    if (captures[id] != expected) {
      problems.push_back("order " + id + " (" + string_field(order, "status") + ") has " +
                         std::to_string(captures[id]) + " captures");
    }
  }
}

} // namespace

std::vector<std::string> verify_orders_after_load(api_client& tenant,
                                                  const std::vector<std::string>& accounts,
                                                  const transfer_map& stored,
                                                  const std::vector<order_attempt>& orders) {
  std::vector<std::string> problems;
  const auto listed = orders_of_accounts(tenant, accounts);
  const auto created = check_created_orders(listed, orders, problems);
  check_orders_not_doubled(listed, created, orders, problems);
  check_captures(stored, listed, problems);
  return problems;
}

} // namespace settle::integration
