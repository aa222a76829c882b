// The load threads record every answer; the verification rebuilds each account's history
// from the server's own lists and compares it with the answers and the balances.
#include "tests/integration/harness/transfer_load.hpp"

#include "tests/integration/harness/json_helpers.hpp"
#include "tests/integration/harness/ledger_helpers.hpp"

#include <map>
#include <set>

namespace settle::integration {

transfer_load::transfer_load(std::uint16_t port, load_plan plan) : port_(port), plan_(std::move(plan)) {
  for (std::size_t index = 0; index < plan_.threads; ++index) {
    threads_.emplace_back([this, index] { run_thread(index); });
  }
}

transfer_load::~transfer_load() {
  abandoned_ = true;
  for (auto& thread : threads_) {
    if (thread.joinable()) {
      thread.join();
    }
  }
}

namespace {

bool wait_for_count(const std::atomic<std::size_t>& counter, std::size_t count,
                    std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (counter.load() < count) {
    if (std::chrono::steady_clock::now() >= deadline) {
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

} // namespace

bool transfer_load::wait_for_answers(std::size_t count, std::chrono::milliseconds limit) const {
  return wait_for_count(answered_, count, limit);
}

bool transfer_load::wait_for_settled(std::size_t count, std::chrono::milliseconds limit) const {
  return wait_for_count(settled_, count, limit);
}

load_outcome transfer_load::finish() {
  for (auto& thread : threads_) {
    thread.join();
  }
  threads_.clear();
  std::lock_guard lock(mutex_);
  return outcome_;
}

void transfer_load::run_thread(std::size_t index) {
  api_client client(port_, plan_.key);
  auto random = random_for_thread(plan_, index);
  for (std::size_t number = 0; plan_.transfers_per_thread == 0 || number < plan_.transfers_per_thread; ++number) {
    if (abandoned_) {
      return;
    }
    const auto sent = random_transfer(
        plan_, random, "load-" + std::to_string(plan_.seed) + "-" + std::to_string(index) + "-" + std::to_string(number));
    http_response response;
    try {
      response = client.post("/v1/transfers", transfer_body(sent, plan_.currency));
    } catch (const std::exception&) {
      std::lock_guard lock(mutex_);
      outcome_.unanswered.push_back(sent);
      return;
    }
    ++answered_;
    settled_ += response.status == 201 ? 1 : 0;
    std::lock_guard lock(mutex_);
    record_answer(outcome_, sent, response);
  }
}

std::mt19937 random_for_thread(const load_plan& plan, std::size_t thread_index) {
  return std::mt19937(plan.seed * 1000 + static_cast<std::uint32_t>(thread_index));
}

sent_transfer random_transfer(const load_plan& plan, std::mt19937& random, std::string description) {
  std::uniform_int_distribution<std::size_t> pick_account(0, plan.accounts.size() - 1);
  std::uniform_int_distribution<std::int64_t> pick_amount(1, plan.max_amount);
  sent_transfer sent;
  sent.description = std::move(description);
  sent.from_account = plan.accounts[pick_account(random)];
  do {
    sent.to_account = plan.accounts[pick_account(random)];
  } while (sent.to_account == sent.from_account);
  sent.amount = pick_amount(random);
  return sent;
}

boost::json::object transfer_body(const sent_transfer& sent, const std::string& currency) {
  auto body = transfer_request(sent.from_account, sent.to_account, sent.amount, currency);
  body["description"] = sent.description;
  return body;
}

void record_answer(load_outcome& outcome, const sent_transfer& sent, const http_response& response) {
  if (response.status == 201) {
    outcome.settled.push_back(parse_json(response.body).as_object());
  } else if (response.status == 402) {
    outcome.refused_for_funds.push_back(sent);
  } else {
    outcome.other_answers.push_back({sent, response.status, response.body});
  }
}

transfer_map transfers_of_accounts(api_client& tenant, const std::vector<std::string>& accounts) {
  transfer_map stored;
  for (const auto& account : accounts) {
    for (auto& transfer : list_all(tenant, "/v1/transfers?account=" + account)) {
      stored.emplace(string_field(transfer, "id"), transfer);
    }
  }
  return stored;
}

namespace {

void check_settled_answers_are_stored(api_client& tenant, const load_outcome& outcome,
                                      std::vector<std::string>& problems) {
  for (const auto& settled : outcome.settled) {
    const auto id = string_field(settled, "id");
    const auto response = tenant.get("/v1/transfers/" + id);
    if (response.status != 200) {
      problems.push_back("settled transfer " + id + " answers GET with " + std::to_string(response.status));
    } else if (parse_json(response.body) != boost::json::value(settled)) {
      problems.push_back("transfer " + id + " differs from its 201 answer: " + response.body);
    }
  }
}

void check_stored_transfers_were_sent(const transfer_map& stored, const load_outcome& outcome,
                                      std::vector<std::string>& problems) {
  std::set<std::string> settled_ids;
  for (const auto& settled : outcome.settled) {
    settled_ids.insert(string_field(settled, "id"));
    if (!stored.count(string_field(settled, "id"))) {
      problems.push_back("settled transfer " + string_field(settled, "id") + " is missing from the account lists");
    }
  }
  std::set<std::string> unanswered;
  for (const auto& sent : outcome.unanswered) {
    unanswered.insert(sent.description);
  }
  for (const auto& [id, transfer] : stored) {
    if (string_field(transfer, "kind") != "transfer" || settled_ids.count(id)) {
      continue;
    }
    const auto& description = transfer.at("description");
    if (!description.is_string() || !unanswered.erase(std::string(description.as_string()))) {
      problems.push_back("stored transfer " + id + " was neither answered 201 nor left unanswered: " +
                         boost::json::serialize(transfer));
    }
  }
}

std::int64_t net_flow(const transfer_map& stored, const std::string& account) {
  std::int64_t flow = 0;
  for (const auto& [id, transfer] : stored) {
    const auto amount = integer_field(transfer, "amount");
    flow += string_field(transfer, "to_account") == account ? amount : 0;
    flow -= string_field(transfer, "from_account") == account ? amount : 0;
  }
  return flow;
}

std::size_t transfers_touching(const transfer_map& stored, const std::string& account) {
  std::size_t count = 0;
  for (const auto& [id, transfer] : stored) {
    if (string_field(transfer, "to_account") == account || string_field(transfer, "from_account") == account) {
      ++count;
    }
  }
  return count;
}

void check_entries(api_client& tenant, const std::string& account, std::int64_t balance,
                   const transfer_map& stored, std::vector<std::string>& problems) {
  const auto entries = list_all(tenant, "/v1/accounts/" + account + "/entries");
  std::int64_t sum = 0;
  // The list is newest first. Walked from the oldest, each entry's balance_after less its
  // amount is the one before's (0 before the first): the list follows the order in which
  // the balance changed, whichever node committed.
  std::int64_t expected_before = 0;
  for (std::size_t index = entries.size(); index-- > 0;) {
    const auto& entry = entries[index];
    const auto after = integer_field(entry, "balance_after");
    if (after - integer_field(entry, "amount") != expected_before) {
      problems.push_back(account + ": entry " + std::to_string(entries.size() - index) +
                         " from the oldest does not follow the one before: " +
                         boost::json::serialize(entry));
      break;
    }
    expected_before = after;
  }
  for (const auto& entry : entries) {
    sum += integer_field(entry, "amount");
    if (!stored.count(string_field(entry, "transfer_id"))) {
      problems.push_back(account + ": entry names a transfer not in its list: " + boost::json::serialize(entry));
    }
  }
  if (entries.size() != transfers_touching(stored, account)) {
    problems.push_back(account + ": " + std::to_string(entries.size()) + " entries for " +
                       std::to_string(transfers_touching(stored, account)) + " transfers");
  }
  if (sum != balance || (!entries.empty() && integer_field(entries.front(), "balance_after") != balance)) {
    problems.push_back(account + ": entries sum to " + std::to_string(sum) + " (newest balance_after " +
                       (entries.empty() ? "none" : std::to_string(integer_field(entries.front(), "balance_after"))) +
                       ") but the balance is " + std::to_string(balance));
  }
}

void check_balances(api_client& tenant, const std::vector<std::string>& accounts, std::int64_t total_deposits,
                    const transfer_map& stored, std::vector<std::string>& problems) {
  std::int64_t sum = 0;
  for (const auto& account : accounts) {
    const auto object = get_object(tenant, "/v1/accounts/" + account);
    const auto balance = integer_field(object, "balance");
    sum += balance;
    if (balance != net_flow(stored, account)) {
      problems.push_back(account + ": balance " + std::to_string(balance) + " but its transfers add up to " +
                         std::to_string(net_flow(stored, account)));
    }
    if (balance < 0 || integer_field(object, "available") != balance || integer_field(object, "held") != 0) {
      problems.push_back(account + ": negative or inconsistent: " + boost::json::serialize(object));
    }
    check_entries(tenant, account, balance, stored, problems);
  }
  if (sum != total_deposits) {
    problems.push_back("balances sum to " + std::to_string(sum) + ", deposits were " + std::to_string(total_deposits));
  }
}

void check_audit(api_client& admin, std::vector<std::string>& problems) {
  const auto report = audit(admin);
  bool balanced = report.at("ok") == true && report.at("mismatched_accounts").as_array().empty();
  for (const auto& currency : report.at("currencies").as_array()) {
    balanced = balanced && currency.as_object().at("sum_of_balances") == 0;
  }
  if (!balanced) {
    problems.push_back("audit is not clean: " + boost::json::serialize(report));
  }
}

}  // namespace

std::vector<std::string> unexpected_answers(const load_outcome& outcome, unsigned tolerated) {
  std::vector<std::string> descriptions;
  for (const auto& answer : outcome.other_answers) {
    if (answer.status != tolerated) {
      descriptions.push_back(answer.sent.description + ": " + std::to_string(answer.status) + " " +
                             answer.body.substr(0, 500));
    }
  }
  return descriptions;
}

std::vector<std::string> verify_ledger_after_load(api_client& tenant, api_client& admin,
                                                  const std::vector<std::string>& accounts,
                                                  std::int64_t total_deposits, const load_outcome& outcome) {
  std::vector<std::string> problems;
  check_settled_answers_are_stored(tenant, outcome, problems);
  const auto stored = transfers_of_accounts(tenant, accounts);
  check_stored_transfers_were_sent(stored, outcome, problems);
  check_balances(tenant, accounts, total_deposits, stored, problems);
  check_audit(admin, problems);
  return problems;
}

load_plan funded_load_plan(api_client& client, const std::string& key, std::size_t accounts,
                           std::int64_t balance) {
  load_plan plan;
  for (std::size_t count = 0; count < accounts; ++count) {
    plan.accounts.push_back(funded_account(client, balance));
  }
  plan.key = key;
  return plan;
}

}  // namespace settle::integration
