// Actor tests of accounts: a node on a temporary SQLite file is driven through its
// gateway to check that concurrent transfers conserve money and never overdraw, that a
// refused transfer changes nothing, that idempotent requests replay, and that an
// account passivated after idling reloads with the same state.
#include "tests/unit/support/metric_value.hpp"
#include "tests/unit/support/temporary_directory.hpp"
#include "tests/unit/support/test_node.hpp"

#include "domain/currency.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <chrono>
#include <exception>
#include <future>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace {

using settle::api_response;
using settle::requester;
using settle::testing::account_of;
using settle::testing::body_of;
using settle::testing::integer_of;
using settle::testing::test_node;
using settle::testing::text_of;

const requester acme{"acme", false, {}};
const requester globex{"globex", false, {}};
const requester operations{"operations", true, {}};

settle::create_transfer_command transfer(const std::string& from, const std::string& to,
                                         std::int64_t amount, const std::string& currency = "USD") {
  settle::create_transfer_command command;
  command.from_account = settle::account_id{from};
  command.to_account = settle::account_id{to};
  command.amount = amount;
  command.currency = currency;
  return command;
}

// The first page of a list, 20 items.
settle::list_parameters first_page() {
  return settle::list_parameters{};
}

std::int64_t balance_of(test_node& node, const std::string& account) {
  return integer_of(account_of(node, acme, account), "balance");
}

// The API error code of a failed answer.
std::string error_code_of(const api_response& answer) {
  return text_of(body_of(answer).at("error").as_object(), "code");
}

// The node's audit, as an admin reads it.
boost::json::object audit(test_node& node) {
  auto answer = node.execute(operations, settle::audit_command{});
  REQUIRE(answer.status == 200);
  return body_of(answer);
}

// A node on its own SQLite file in `directory`.
settle::config::node_options options_in(const settle::testing::temporary_directory& directory) {
  return settle::testing::sqlite_node_options(directory.file("settle.db"));
}

// What one thread of the concurrency test sent and was answered.
struct sent_transfer {
  std::string from;
  std::string to;
  std::int64_t amount = 0;
  api_response answer;
};

// Sends `waves` waves of `wave_size` random transfers among `accounts`; the transfers
// of one wave are in flight at once, and each wave waits for the one before.
std::vector<sent_transfer> send_random_transfers(test_node& node,
                                                 const std::vector<std::string>& accounts,
                                                 int waves, int wave_size, unsigned seed) {
  std::mt19937 random{seed};
  std::uniform_int_distribution<std::size_t> pick(0, accounts.size() - 1);
  std::uniform_int_distribution<std::int64_t> amount(1, 150);
  std::vector<sent_transfer> sent;
  for (int wave = 0; wave < waves; ++wave) {
    std::vector<std::future<api_response>> answers;
    for (int index = 0; index < wave_size; ++index) {
      auto from = pick(random);
      auto to = (from + 1 + pick(random) % (accounts.size() - 1)) % accounts.size();
      sent.push_back({accounts[from], accounts[to], amount(random), {}});
      answers.push_back(node.send(acme, transfer(sent.back().from, sent.back().to, sent.back().amount)));
    }
    auto first = sent.size() - answers.size();
    for (std::size_t index = 0; index < answers.size(); ++index) {
      sent[first + index].answer = settle::testing::await_answer(answers[index]);
    }
  }
  return sent;
}

// Runs send_random_transfers on `threads` threads at once; an exception of a thread
// (an answer that never came) is rethrown here.
std::vector<sent_transfer> send_from_threads(test_node& node, const std::vector<std::string>& accounts,
                                             int threads, int waves, int wave_size) {
  std::vector<std::vector<sent_transfer>> sent(threads);
  std::vector<std::exception_ptr> failures(threads);
  std::vector<std::thread> senders;
  for (int index = 0; index < threads; ++index) {
    senders.emplace_back([&, index] {
      try {
        sent[index] = send_random_transfers(node, accounts, waves, wave_size, 7919u * (index + 1));
      } catch (...) {
        failures[index] = std::current_exception();
      }
    });
  }
  for (auto& sender : senders) {
    sender.join();
  }
  std::vector<sent_transfer> all;
  for (int index = 0; index < threads; ++index) {
    if (failures[index]) {
      std::rethrow_exception(failures[index]);
    }
    all.insert(all.end(), sent[index].begin(), sent[index].end());
  }
  return all;
}

// Applies each settled transfer to `balances`; returns how many settled. Every answer
// must be 201 or 402 insufficient_funds.
int apply_settled(const std::vector<sent_transfer>& sent,
                  std::map<std::string, std::int64_t>& balances) {
  int settled = 0;
  for (const auto& item : sent) {
    INFO("answer " << item.answer.status << " " << item.answer.body);
    REQUIRE((item.answer.status == 201 || item.answer.status == 402));
    if (item.answer.status == 402) {
      CHECK(error_code_of(item.answer) == "insufficient_funds");
      continue;
    }
    balances[item.from] -= item.amount;
    balances[item.to] += item.amount;
    ++settled;
  }
  return settled;
}

// Waits until `condition` holds or `timeout` passes; true when it held.
template <class Condition>
bool eventually(Condition condition, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) {
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds{50});
  }
  return true;
}

} // namespace

TEST_CASE("a user, its accounts and a deposit go through the gateway", "[actors][account]") {
  settle::testing::temporary_directory directory;
  test_node node{options_in(directory)};
  auto user = settle::testing::create_user(node, acme);
  auto account = settle::testing::open_account(node, acme, user);
  settle::testing::deposit(node, acme, account, 1250);
  auto state = account_of(node, acme, account);
  CHECK(text_of(state, "user_id") == user);
  CHECK(text_of(state, "currency") == "USD");
  CHECK(integer_of(state, "balance") == 1250);
  CHECK(integer_of(state, "available") == 1250);
  CHECK(integer_of(state, "held") == 0);
  auto entries = settle::testing::entries_of(node, acme, account);
  REQUIRE(entries.size() == 1);
  CHECK(text_of(entries[0], "kind") == "deposit");
  CHECK(integer_of(entries[0], "amount") == 1250);
}

TEST_CASE("concurrent transfers conserve money and never overdraw", "[actors][account]") {
  settle::testing::temporary_directory directory;
  test_node node{options_in(directory)};
  auto user = settle::testing::create_user(node, acme);
  std::vector<std::string> accounts;
  std::map<std::string, std::int64_t> expected;
  for (int index = 0; index < 4; ++index) {
    accounts.push_back(settle::testing::open_account(node, acme, user));
    settle::testing::deposit(node, acme, accounts.back(), 1000);
    expected[accounts.back()] = 1000;
  }

  auto sent = send_from_threads(node, accounts, 4, 8, 16);
  REQUIRE(sent.size() == 4 * 8 * 16);
  auto settled = apply_settled(sent, expected);
  INFO(settled << " of " << sent.size() << " transfers settled");
  CHECK(settled > 0);

  std::int64_t sum = 0;
  for (const auto& account : accounts) {
    INFO("account " << account);
    auto balance = balance_of(node, account);
    CHECK(balance == expected[account]);
    CHECK(balance >= 0);
    sum += balance;
    for (const auto& entry : settle::testing::entries_of(node, acme, account)) {
      CHECK(integer_of(entry, "balance_after") >= 0);
    }
  }
  CHECK(sum == 4000);
  auto report = audit(node);
  CHECK(report.at("ok").as_bool());
  CHECK(report.at("mismatched_accounts").as_array().empty());
}

TEST_CASE("a transfer answered 402 changes nothing", "[actors][account]") {
  settle::testing::temporary_directory directory;
  test_node node{options_in(directory)};
  auto user = settle::testing::create_user(node, acme);
  auto payer = settle::testing::open_account(node, acme, user);
  auto payee = settle::testing::open_account(node, acme, user);
  settle::testing::deposit(node, acme, payer, 100);

  auto refused = node.execute(acme, transfer(payer, payee, 101));
  CHECK(refused.status == 402);
  CHECK(error_code_of(refused) == "insufficient_funds");
  auto withdrawal = node.execute(acme, settle::external_movement_command{payer, 101, false});
  CHECK(withdrawal.status == 402);

  CHECK(balance_of(node, payer) == 100);
  CHECK(integer_of(account_of(node, acme, payer), "available") == 100);
  CHECK(balance_of(node, payee) == 0);
  CHECK(settle::testing::entries_of(node, acme, payer).size() == 1);
  CHECK(settle::testing::entries_of(node, acme, payee).empty());
  auto listed = node.execute(acme, settle::list_transfers_command{payer, first_page()});
  REQUIRE(listed.status == 200);
  CHECK(body_of(listed).at("data").as_array().size() == 1);

  // The refusal reserved nothing: exactly the whole balance can still move.
  CHECK(node.execute(acme, transfer(payer, payee, 100)).status == 201);
  CHECK(balance_of(node, payer) == 0);
  CHECK(balance_of(node, payee) == 100);
}

TEST_CASE("a transfer that names no currency is refused, alone or in a batch, and changes nothing",
          "[actors][account]") {
  // The ingress always requires `currency`; the coordinator does not count on it, since its
  // legs are asked at once and each account checks only the currency the transfer names.
  settle::testing::temporary_directory directory;
  test_node node{options_in(directory)};
  auto user = settle::testing::create_user(node, acme);
  auto dollars = settle::testing::open_account(node, acme, user, "USD");
  auto euros = settle::testing::open_account(node, acme, user, "EUR");
  settle::testing::deposit(node, acme, dollars, 100);

  auto alone = node.execute(acme, transfer(dollars, euros, 10, ""));
  CHECK(alone.status == 422);
  CHECK(error_code_of(alone) == "missing_parameter");
  settle::transfer_batch_command batch;
  batch.atomic = false;
  batch.items.push_back(settle::batch_item{transfer(dollars, euros, 10, ""), std::nullopt});
  auto batched = node.execute(acme, batch);
  INFO(body_of(batched));
  CHECK(batched.status != 201);
  CHECK(balance_of(node, dollars) == 100);
  CHECK(balance_of(node, euros) == 0);
  CHECK(settle::testing::entries_of(node, acme, euros).empty());
}

TEST_CASE("a repeated Idempotency-Key with the same request replays the answer",
          "[actors][account][idempotency]") {
  settle::testing::temporary_directory directory;
  test_node node{options_in(directory)};
  auto user = settle::testing::create_user(node, acme);
  auto account = settle::testing::open_account(node, acme, user);
  settle::idempotency_claim claim{"deposit-1", "fingerprint-1"};
  settle::external_movement_command deposit{account, 500, true};

  auto first = node.execute(acme, deposit, claim);
  REQUIRE(first.status == 201);
  CHECK_FALSE(first.replayed);
  auto repeat = node.execute(acme, deposit, claim);
  CHECK(repeat.status == 201);
  CHECK(repeat.replayed);
  CHECK(repeat.body == first.body);
  CHECK(balance_of(node, account) == 500);
  CHECK(settle::testing::entries_of(node, acme, account).size() == 1);
}

TEST_CASE("a repeated Idempotency-Key with another request is 422 idempotency_key_reused",
          "[actors][account][idempotency]") {
  settle::testing::temporary_directory directory;
  test_node node{options_in(directory)};
  auto user = settle::testing::create_user(node, acme);
  auto account = settle::testing::open_account(node, acme, user);
  settle::external_movement_command deposit{account, 500, true};
  REQUIRE(node.execute(acme, deposit, settle::idempotency_claim{"deposit-1", "fingerprint-1"}).status
          == 201);

  auto reused = node.execute(acme, settle::external_movement_command{account, 900, true},
                             settle::idempotency_claim{"deposit-1", "fingerprint-2"});
  CHECK(reused.status == 422);
  CHECK(error_code_of(reused) == "idempotency_key_reused");
  CHECK_FALSE(reused.replayed);
  CHECK(balance_of(node, account) == 500);
}

TEST_CASE("a 402 answer is stored and replayed for its Idempotency-Key",
          "[actors][account][idempotency]") {
  settle::testing::temporary_directory directory;
  test_node node{options_in(directory)};
  auto user = settle::testing::create_user(node, acme);
  auto account = settle::testing::open_account(node, acme, user);
  settle::idempotency_claim claim{"withdraw-1", "fingerprint-1"};
  settle::external_movement_command withdrawal{account, 300, false};

  auto first = node.execute(acme, withdrawal, claim);
  REQUIRE(first.status == 402);
  settle::testing::deposit(node, acme, account, 1000);
  auto repeat = node.execute(acme, withdrawal, claim);
  CHECK(repeat.status == 402);
  CHECK(repeat.replayed);
  CHECK(repeat.body == first.body);
  CHECK(balance_of(node, account) == 1000);
}

TEST_CASE("a 422 answer is not stored, so the key may be retried with a corrected request",
          "[actors][account][idempotency]") {
  settle::testing::temporary_directory directory;
  test_node node{options_in(directory)};
  auto user = settle::testing::create_user(node, acme);
  auto dollars = settle::testing::open_account(node, acme, user, "USD");
  auto euros = settle::testing::open_account(node, acme, user, "EUR");
  auto other_dollars = settle::testing::open_account(node, acme, user, "USD");
  settle::testing::deposit(node, acme, dollars, 100);

  auto mismatched = node.execute(acme, transfer(dollars, euros, 40),
                                 settle::idempotency_claim{"pay-1", "fingerprint-1"});
  REQUIRE(mismatched.status == 422);
  CHECK(error_code_of(mismatched) == "currency_mismatch");
  auto again = node.execute(acme, transfer(dollars, euros, 40),
                            settle::idempotency_claim{"pay-1", "fingerprint-1"});
  CHECK(again.status == 422);
  CHECK_FALSE(again.replayed);
  auto corrected = node.execute(acme, transfer(dollars, other_dollars, 40),
                                settle::idempotency_claim{"pay-1", "fingerprint-2"});
  CHECK(corrected.status == 201);
  CHECK(balance_of(node, dollars) == 60);
}

TEST_CASE("an idempotent answer is replayed after the node restarts",
          "[actors][account][idempotency]") {
  settle::testing::temporary_directory directory;
  settle::idempotency_claim claim{"deposit-1", "fingerprint-1"};
  std::string account;
  api_response first;
  {
    test_node node{options_in(directory)};
    auto user = settle::testing::create_user(node, acme);
    account = settle::testing::open_account(node, acme, user);
    first = node.execute(acme, settle::external_movement_command{account, 500, true}, claim);
    REQUIRE(first.status == 201);
  }
  test_node restarted{options_in(directory)};
  auto repeat = restarted.execute(acme, settle::external_movement_command{account, 500, true}, claim);
  CHECK(repeat.status == 201);
  CHECK(repeat.replayed);
  CHECK(repeat.body == first.body);
  CHECK(balance_of(restarted, account) == 500);
}

// After a restart every answer comes from the database; claims that arrive together are
// looked up together (256 keys at most per lookup, so 310 take several), and each still
// gets its own key's outcome. Every key is looked up once, and no lookup exceeds 256.
TEST_CASE("claims arriving together after a restart each get their own key's outcome",
          "[actors][account][idempotency]") {
  settle::testing::temporary_directory directory;
  std::string account;
  std::vector<api_response> first;
  {
    test_node node{options_in(directory)};
    account = settle::testing::open_account(node, acme, settle::testing::create_user(node, acme));
    for (int index = 0; index < 150; ++index) {
      auto key = "deposit-" + std::to_string(index);
      first.push_back(node.execute(acme, settle::external_movement_command{account, 1, true},
                                   settle::idempotency_claim{key, "same"}));
      REQUIRE(first.back().status == 201);
    }
  }
  test_node restarted{options_in(directory)};
  const std::string lookups = "settle_idempotency_lookup_keys";
  auto lookups_before = settle::testing::metric_value(lookups + "_count");
  auto keys_before = settle::testing::metric_value(lookups + "_sum");
  auto within_limit_before = settle::testing::metric_value(lookups + "_bucket{le=\"256\"}");
  settle::external_movement_command deposit{account, 1, true};
  auto send = [&](const std::string& key, int index, const std::string& fingerprint) {
    return restarted.send(acme, deposit,
                          settle::idempotency_claim{key + std::to_string(index), fingerprint});
  };
  std::vector<std::future<api_response>> repeats, reused, fresh;
  for (int index = 0; index < 140; ++index) {
    repeats.push_back(send("deposit-", index, "same"));
  }
  for (int index = 140; index < 150; ++index) {
    reused.push_back(send("deposit-", index, "other"));
  }
  for (int index = 0; index < 160; ++index) {
    fresh.push_back(send("fresh-", index, "same"));
  }
  for (std::size_t index = 0; index < repeats.size(); ++index) {
    auto answer = settle::testing::await_answer(repeats[index]);
    CHECK(answer.status == 201);
    CHECK(answer.replayed);
    CHECK(answer.body == first[index].body);
  }
  for (auto& pending : reused) {
    auto answer = settle::testing::await_answer(pending);
    CHECK(answer.status == 422);
    CHECK(error_code_of(answer) == "idempotency_key_reused");
  }
  for (auto& pending : fresh) {
    auto answer = settle::testing::await_answer(pending);
    CHECK(answer.status == 201);
    CHECK_FALSE(answer.replayed);
  }
  CHECK(balance_of(restarted, account) == 150 + 160);
  auto lookups_made = settle::testing::metric_value(lookups + "_count") - lookups_before;
  CHECK(settle::testing::metric_value(lookups + "_sum") - keys_before == 310);
  CHECK(lookups_made >= 2);
  CHECK(settle::testing::metric_value(lookups + "_bucket{le=\"256\"}") - within_limit_before
        == lookups_made);
}

TEST_CASE("a second request with a key still in flight is 409 idempotency_key_in_use",
          "[actors][account][idempotency]") {
  settle::testing::temporary_directory directory;
  test_node node{options_in(directory)};
  auto user = settle::testing::create_user(node, acme);
  auto account = settle::testing::open_account(node, acme, user);
  settle::idempotency_claim claim{"deposit-1", "fingerprint-1"};
  settle::external_movement_command deposit{account, 500, true};
  auto first = node.send(acme, deposit, claim);
  auto second = node.send(acme, deposit, claim);
  auto first_answer = settle::testing::await_answer(first);
  auto second_answer = settle::testing::await_answer(second);
  CHECK(first_answer.status == 201);
  CHECK(second_answer.status == 409);
  CHECK(error_code_of(second_answer) == "idempotency_key_in_use");
  CHECK(balance_of(node, account) == 500);
}

TEST_CASE("another tenant's account is hidden but may receive a transfer",
          "[actors][account][tenants]") {
  settle::testing::temporary_directory directory;
  test_node node{options_in(directory)};
  auto merchant = settle::testing::open_account(node, acme, settle::testing::create_user(node, acme));
  settle::testing::deposit(node, acme, merchant, 500);
  auto customer =
    settle::testing::open_account(node, globex, settle::testing::create_user(node, globex));
  settle::testing::deposit(node, globex, customer, 300);

  CHECK(node.execute(globex, settle::get_account_command{merchant}).status == 404);
  CHECK(node.execute(globex, settle::external_movement_command{merchant, 10, true}).status == 404);
  CHECK(node.execute(globex, settle::list_entries_command{merchant, first_page()}).status == 404);
  auto stolen = node.execute(globex, transfer(merchant, customer, 10));
  CHECK(stolen.status == 404);
  CHECK(text_of(body_of(stolen).at("error").as_object(), "param") == "from_account");

  auto payment = node.execute(globex, transfer(customer, merchant, 100));
  CHECK(payment.status == 201);
  CHECK(balance_of(node, merchant) == 600);
  CHECK(integer_of(account_of(node, globex, customer), "balance") == 200);
}

TEST_CASE("a closed account refuses every movement, and only an empty one closes",
          "[actors][account]") {
  settle::testing::temporary_directory directory;
  test_node node{options_in(directory)};
  auto user = settle::testing::create_user(node, acme);
  auto funded = settle::testing::open_account(node, acme, user);
  auto empty = settle::testing::open_account(node, acme, user);
  settle::testing::deposit(node, acme, funded, 100);

  auto not_empty = node.execute(acme, settle::close_account_command{funded});
  CHECK(not_empty.status == 409);
  CHECK(error_code_of(not_empty) == "account_not_empty");
  auto closed = node.execute(acme, settle::close_account_command{empty});
  REQUIRE(closed.status == 200);
  CHECK(text_of(body_of(closed), "status") == "closed");

  auto into_closed = node.execute(acme, transfer(funded, empty, 10));
  CHECK(into_closed.status == 409);
  CHECK(error_code_of(into_closed) == "account_closed");
  CHECK(node.execute(acme, settle::external_movement_command{empty, 10, true}).status == 409);
  CHECK(balance_of(node, funded) == 100);
}

TEST_CASE("the overdraft limit may be spent, and not one unit more", "[actors][account]") {
  settle::testing::temporary_directory directory;
  test_node node{options_in(directory)};
  auto user = settle::testing::create_user(node, acme);
  auto opened = node.execute(acme, settle::create_account_command{user, "USD", 100});
  REQUIRE(opened.status == 201);
  auto overdrawn = text_of(body_of(opened), "id");
  auto payee = settle::testing::open_account(node, acme, user);

  CHECK(node.execute(acme, transfer(overdrawn, payee, 100)).status == 201);
  auto state = account_of(node, acme, overdrawn);
  CHECK(integer_of(state, "balance") == -100);
  CHECK(integer_of(state, "available") == 0);
  CHECK(node.execute(acme, transfer(overdrawn, payee, 1)).status == 402);
  CHECK(balance_of(node, payee) == 100);
}

namespace {

// A deposit into, or a withdrawal from, a world account is refused and changes nothing.
void check_world_movement_refused(bool deposit) {
  settle::testing::temporary_directory directory;
  test_node node{options_in(directory)};
  auto account = settle::testing::open_account(node, acme, settle::testing::create_user(node, acme));
  settle::testing::deposit(node, acme, account, 1000);
  auto world = settle::world_account_id("USD");

  auto answer = node.execute(operations, settle::external_movement_command{world, 100, deposit});
  CHECK(answer.status >= 400);
  CHECK(answer.status < 500);
  auto state = node.execute(operations, settle::get_account_command{world});
  REQUIRE(state.status == 200);
  CHECK(integer_of(body_of(state), "balance") == -1000);
}

} // namespace

TEST_CASE("a deposit into a world account is refused and changes nothing",
          "[actors][account]") {
  // It once settled as a transfer from the world account to itself, and the account
  // actor, whose reservations are keyed by transfer id, lost one of the two legs.
  check_world_movement_refused(true);
}

TEST_CASE("a withdrawal from a world account is refused and changes nothing",
          "[actors][account]") {
  check_world_movement_refused(false);
}

TEST_CASE("an idle account is passivated and reloads with the same state",
          "[actors][account][shard_region]") {
  settle::testing::temporary_directory directory;
  auto options = options_in(directory);
  options.actors.passivate_after_seconds = 1;
  test_node node{options};
  auto user = settle::testing::create_user(node, acme);
  auto account = settle::testing::open_account(node, acme, user);
  settle::testing::deposit(node, acme, account, 700);
  auto before = node.execute(acme, settle::get_account_command{account});
  REQUIRE(before.status == 200);
  // Resident now: the account and the world account of its currency.
  auto resident = settle::testing::actors_gauge("account");

  std::this_thread::sleep_for(std::chrono::milliseconds{2100});
  bool dropped = eventually([&] { return settle::testing::actors_gauge("account") <= resident - 2; },
                            std::chrono::seconds{8});
  CHECK(dropped);
  auto passivated = settle::testing::actors_gauge("account");
  CHECK(passivated == resident - 2);

  auto after = node.execute(acme, settle::get_account_command{account});
  REQUIRE(after.status == 200);
  CHECK(after.body == before.body);
  CHECK(settle::testing::actors_gauge("account") == passivated + 1);
  CHECK(node.execute(acme, settle::external_movement_command{account, 700, false}).status == 201);
  CHECK(balance_of(node, account) == 0);
}

