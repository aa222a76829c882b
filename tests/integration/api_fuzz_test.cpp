// A stateful fuzzer of the whole API against a real settled: a seeded random sequence of
// valid and invalid requests from two tenants (transfers with amounts around every
// limit, batches of 1, 63, 64, 65 and up to 1001 items, atomic or not, valid and invalid
// items mixed, Idempotency-Keys reused with the same and another body, deposits and
// withdrawals, orders driven through every action by payer and payee, garbage bodies and
// methods, stream subscriptions with extreme `since`). After every step: no 5xx, the
// process is up and another tenant is served; every 25 steps and at the end: each
// account's balance is exactly what the answers said, and the audit holds; at the end,
// memory grew by less than 512 MiB. SETTLE_API_FUZZ_SEED and SETTLE_API_FUZZ_STEPS run
// other or longer sequences; a failure prints its seed, and the same seed replays it.
#include "tests/integration/harness/testing.hpp"
#include "tests/integration/harness/websocket_client.hpp"

#include <cstdlib>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <vector>

using namespace settle::integration;
namespace json = boost::json;

namespace {

std::uint64_t environment_number(const char* name, std::uint64_t fallback) {
  const char* text = std::getenv(name);
  return text == nullptr ? fallback : std::strtoull(text, nullptr, 10);
}

std::int64_t resident_kib(pid_t pid) {
  std::ifstream status{"/proc/" + std::to_string(pid) + "/status"};
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmRSS:", 0) == 0) {
      return std::strtoll(line.c_str() + 6, nullptr, 10);
    }
  }
  return -1;
}

class api_fuzzer {
 public:
  api_fuzzer(test_server& server, std::uint64_t seed) : server_(server), random_(seed) {
    auto& acme = server_.acme();
    for (int index = 0; index < 4; ++index) {
      auto account = funded_account(acme, 1'000'000);
      expected_[account] = 1'000'000;
      accounts_.push_back(account);
    }
    payer_ = funded_account(acme, 1'000'000);
    payee_ = new_account(server_.globex());
    observed_ = new_account(server_.globex());
  }

  void step(std::size_t number) {
    INFO("step " << number);
    switch (pick(8)) {
      case 0: transfer(); break;
      case 1: batch(); break;
      case 2: deposit_or_withdraw(); break;
      case 3: order(); break;
      case 4: garbage(); break;
      case 5: subscribe(); break;
      default: transfer(); break;
    }
    REQUIRE(server_.process().running());
    REQUIRE_STATUS(server_.globex().get("/v1/accounts/" + observed_), 200);
  }

  // Every account's balance is what the answers said; the ledger sums to zero.
  void check_ledger() {
    for (const auto& [account, balance] : expected_) {
      INFO("account " << account);
      CHECK(balance_of(server_.acme(), account) == balance);
    }
    CHECK(audit(server_.admin()).at("ok") == true);
  }

 private:
  std::size_t pick(std::size_t count) { return std::uniform_int_distribution<std::size_t>(0, count - 1)(random_); }
  const std::string& any_account() { return accounts_[pick(accounts_.size())]; }

  // Amounts around every limit, and ordinary ones.
  std::int64_t amount() {
    static const std::int64_t edges[] = {-1, 0, 1, 999, 1'000'000'000'000'000, 1'000'000'000'000'001};
    return pick(3) == 0 ? edges[pick(6)] : static_cast<std::int64_t>(1 + pick(5000));
  }

  json::object transfer_body() {
    const auto& from = any_account();
    const auto& to = pick(10) == 0 ? from : any_account();
    return transfer_request(from, to, amount());
  }

  void apply(const json::object& body) {
    auto amount = body.at("amount").as_int64();
    expected_[std::string{body.at("from_account").as_string()}] -= amount;
    expected_[std::string{body.at("to_account").as_string()}] += amount;
  }

  // An Idempotency-Key from a small pool, so that keys come back with the same body (a
  // replay of the stored answer: nothing moves again) or another (422). Only answers the
  // contract stores (2xx, 402, 404, 409) bind a key.
  struct key_use {
    std::string key; // empty: no key sent
    bool replay = false;
    bool reused = false;
    unsigned stored_status = 0;
  };

  key_use choose_key(const json::object& body) {
    key_use use;
    if (pick(3) != 0) {
      return use;
    }
    use.key = "fuzz-" + std::to_string(pick(8));
    auto found = keys_.find(use.key);
    if (found != keys_.end()) {
      use.replay = found->second.first == json::serialize(body);
      use.reused = !use.replay;
      use.stored_status = found->second.second;
    }
    return use;
  }

  // Checks the answer against the key's story and binds a fresh key to a stored answer.
  void check_key(const key_use& use, const json::object& body, unsigned status) {
    if (use.key.empty()) {
      return;
    }
    if (use.replay) {
      CHECK(status == use.stored_status);
    } else if (use.reused) {
      CHECK(status == 422);
    } else if ((status >= 200 && status < 300) || status == 402 || status == 404 || status == 409) {
      keys_[use.key] = {json::serialize(body), status};
    }
  }

  static header_list headers_for(const key_use& use) {
    return use.key.empty() ? header_list{} : header_list{{"Idempotency-Key", use.key}};
  }

  void transfer() {
    auto body = transfer_body();
    auto use = choose_key(body);
    auto response = server_.acme().post("/v1/transfers", body, headers_for(use));
    INFO(json::serialize(body) << " -> " << response.status << " " << response.body);
    REQUIRE(response.status < 500);
    check_key(use, body, response.status);
    if (response.status == 201 && !use.replay) {
      apply(body);
    }
  }

  void batch() {
    static const std::size_t sizes[] = {1, 63, 64, 65, 200, 1000, 1001};
    auto size = pick(4) == 0 ? 1 + pick(130) : sizes[pick(7)];
    json::array items;
    for (std::size_t index = 0; index < size; ++index) {
      items.push_back(pick(20) == 0 ? json::object{} : transfer_body());
    }
    json::object body{{"atomic", pick(2) == 0}, {"transfers", items}};
    auto use = choose_key(body);
    auto response = server_.acme().post("/v1/transfers/batch", body, headers_for(use));
    INFO("batch of " << size << " -> " << response.status << " " << response.body.substr(0, 300));
    REQUIRE(response.status < 500);
    check_key(use, body, response.status);
    if (response.status != 200 || use.replay) {
      return;
    }
    const auto results = json_object(response).at("results").as_array();
    REQUIRE(results.size() == size);
    for (std::size_t index = 0; index < size; ++index) {
      const auto& result = results[index];
      if (result.is_object() && result.as_object().contains("status")
          && result.as_object().at("status") == "settled") {
        apply(items[index].as_object());
      }
    }
  }

  void deposit_or_withdraw() {
    const auto& account = any_account();
    auto value = amount();
    bool into = pick(2) == 0;
    auto target = "/v1/accounts/" + account + (into ? "/deposits" : "/withdrawals");
    auto response = server_.acme().post(target, json::object{{"amount", value}, {"currency", "USD"}});
    INFO(target << " " << value << " -> " << response.status << " " << response.body);
    REQUIRE(response.status < 500);
    if (response.status == 201) {
      expected_[account] += into ? value : -value;
    }
  }

  // Orders from acme's payer to globex's payee, outside the exact model: the audit checks
  // them. Actions come from the payer or the payee at random, in any state.
  void order() {
    if (orders_.empty() || pick(3) == 0) {
      auto request = order_request(payer_, payee_, 1 + static_cast<std::int64_t>(pick(100)));
      request["capture_method"] = pick(2) == 0 ? "manual" : "automatic";
      auto response = server_.acme().post("/v1/orders", request);
      REQUIRE(response.status < 500);
      if (response.status == 201) {
        orders_.push_back(std::string{json_object(response).at("id").as_string()});
      }
      return;
    }
    static const char* actions[] = {"confirm", "capture", "cancel", "refunds"};
    auto action = pick(4);
    auto path = order_path(orders_[pick(orders_.size())]) + "/" + actions[action];
    auto& who = pick(2) == 0 ? server_.acme() : server_.globex();
    json::object body;
    if (action == 1 || action == 3) {
      body["amount"] = 1 + static_cast<std::int64_t>(pick(50));
    }
    auto response = who.post(path, body);
    INFO(path << " -> " << response.status << " " << response.body);
    REQUIRE(response.status < 500);
  }

  void garbage() {
    static const char* targets[] = {"/v1/transfers", "/v1/transfers/batch", "/v1/orders", "/v1/users",
                                    "/v1/events?after=18446744073709551615", "/v1/accounts/%00"};
    static const char* methods[] = {"POST", "PUT", "BREW", "DELETE", "PATCH"};
    std::string body;
    for (std::size_t index = 0, length = pick(300); index < length; ++index) {
      body.push_back(static_cast<char>(pick(256)));
    }
    auto response = server_.acme().send(methods[pick(5)], targets[pick(6)], body,
                                        {{"Content-Type", "application/json"}});
    REQUIRE(response.status >= 400);
    REQUIRE(response.status < 500);
  }

  void subscribe() {
    static const std::uint64_t sinces[] = {0, 1, 9'223'372'036'854'775'807ULL,
                                           9'223'372'036'854'775'808ULL, ~0ULL};
    websocket_client stream(server_.port(), acme_key);
    stream.send_json(json::object{{"type", "subscribe"}, {"topics", json::array{"*"}},
                                  {"since", sinces[pick(5)]}});
    auto answer = stream.read_json(std::chrono::seconds(5));
    REQUIRE((answer.at("type") == "subscribed" || answer.at("type") == "error"
             || answer.at("type") == "event"));
  }

  test_server& server_;
  std::mt19937_64 random_;
  std::vector<std::string> accounts_;
  std::map<std::string, std::int64_t> expected_;
  std::map<std::string, std::pair<std::string, unsigned>> keys_; // key -> body, stored status
  std::vector<std::string> orders_;
  std::string payer_;
  std::string payee_;
  std::string observed_;
};

}  // namespace

TEST_CASE("a random sequence of valid and invalid requests leaves the node serving and exact", "[fuzz]") {
  auto seed = environment_number("SETTLE_API_FUZZ_SEED", 20261205);
  auto steps = environment_number("SETTLE_API_FUZZ_STEPS", 150);
  std::printf("api fuzz: SETTLE_API_FUZZ_SEED=%llu SETTLE_API_FUZZ_STEPS=%llu\n",
              static_cast<unsigned long long>(seed), static_cast<unsigned long long>(steps));
  INFO("SETTLE_API_FUZZ_SEED=" << seed);
  test_server server;
  auto start_kib = resident_kib(server.process().pid());
  api_fuzzer fuzzer{server, seed};
  for (std::size_t number = 1; number <= steps; ++number) {
    fuzzer.step(number);
    if (number % 25 == 0) {
      fuzzer.check_ledger();
    }
  }
  fuzzer.check_ledger();
  auto end_kib = resident_kib(server.process().pid());
  INFO("RSS " << start_kib << " KiB at start, " << end_kib << " KiB at the end");
  CHECK(end_kib - start_kib < 512 * 1024);
}
