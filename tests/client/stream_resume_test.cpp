// The subscription survives disconnects: after a cut connection or a restarted server it
// subscribes again with since = the last seq it delivered, and the events continue with
// no gap and no duplicate.
#include "tests/client/client_testing.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace settle::client_tests {

namespace {

// What the stream delivered, in order.
struct delivered_events {
  std::vector<client::event> events;
  std::map<std::string, int> deliveries_of_transfer;

  void add(client::event happened) {
    if (const auto* settled = std::get_if<client::transfer>(&happened.object)) {
      ++deliveries_of_transfer[settled->id];
    }
    events.push_back(std::move(happened));
  }

  bool has_transfer(const std::string& id) const { return deliveries_of_transfer.count(id) > 0; }
};

// Reads until every transfer in `expected` was delivered, or 20 seconds pass.
void read_until_transfers(client::event_stream& stream, const std::vector<std::string>& expected,
                          delivered_events& delivered) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  auto missing = [&] {
    return std::any_of(expected.begin(), expected.end(), [&](const auto& id) { return !delivered.has_transfer(id); });
  };
  while (missing() && std::chrono::steady_clock::now() < deadline) {
    if (auto happened = stream.next_event(std::chrono::milliseconds(500))) {
      delivered.add(std::move(*happened));
    }
  }
}

// Reads until an account.updated with `balance` was delivered (it may come after the
// last transfer's event), or 10 seconds pass.
void read_until_balance(client::event_stream& stream, std::int64_t balance, delivered_events& delivered) {
  auto reached = [&] {
    return std::any_of(delivered.events.begin(), delivered.events.end(), [&](const client::event& happened) {
      const auto* changed = std::get_if<client::account>(&happened.object);
      return changed != nullptr && changed->balance == balance;
    });
  };
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!reached() && std::chrono::steady_clock::now() < deadline) {
    if (auto happened = stream.next_event(std::chrono::milliseconds(500))) {
      delivered.add(std::move(*happened));
    }
  }
  CHECK(reached());
}

// The deposits made to `account`, their transfer ids.
std::vector<std::string> make_deposits(client::api_client& api, const std::string& account, int count,
                                       std::vector<std::string> ids = {}) {
  for (int made = 0; made < count; ++made) {
    ids.push_back(api.deposit(account, 100).id);
  }
  return ids;
}

// No gap, no duplicate: seqs strictly increase, each transfer arrived exactly once, and
// the stream holds exactly the log's events of the account's topic between its first and
// last seq (the log, read with the same key, is the reference).
void check_no_gap_no_duplicate(const delivered_events& delivered, const std::vector<std::string>& transfers,
                               const std::string& account, client::api_client& api) {
  for (std::size_t at = 1; at < delivered.events.size(); ++at) {
    CHECK(delivered.events[at - 1].seq < delivered.events[at].seq);
  }
  for (const auto& id : transfers) {
    auto found = delivered.deliveries_of_transfer.find(id);
    INFO("transfer " << id);
    CHECK(found != delivered.deliveries_of_transfer.end());
    CHECK((found != delivered.deliveries_of_transfer.end() && found->second == 1));
  }
  std::set<std::int64_t> expected;
  for (auto after = delivered.events.front().seq - 1; after < delivered.events.back().seq;) {
    auto page = api.list_events(after, 100);
    for (const auto& happened : page.data) {
      const auto* changed = std::get_if<client::account>(&happened.object);
      const auto* moved = std::get_if<client::transfer>(&happened.object);
      bool touches = (changed && changed->id == account)
                     || (moved && (moved->from_account == account || moved->to_account == account));
      if (touches && happened.seq <= delivered.events.back().seq) {
        expected.insert(happened.seq);
      }
      after = happened.seq;
    }
    if (!page.has_more) {
      break;
    }
  }
  std::set<std::int64_t> received;
  for (const auto& happened : delivered.events) {
    received.insert(happened.seq);
  }
  CHECK(received == expected);
}

} // namespace

TEST_CASE("the stream resumes after its connection is cut, with no gap and no duplicate", "[client][stream]") {
  auto& server = shared_server();
  auto api = client_for(server, acme_key);
  auto account = make_funded_account(api, 0).account;
  fault_proxy proxy(server.port());
  client::stream_options options;
  options.topics = {account.id};
  options.since = 0;
  auto stream = client::event_stream(options_for(proxy.base_url(), acme_key), options);

  delivered_events delivered;
  auto transfers = make_deposits(api, account.id, 3);
  read_until_transfers(stream, transfers, delivered);
  REQUIRE(delivered.deliveries_of_transfer.size() == 3);

  proxy.cut_connections();
  // Committed while the stream is down: they can only arrive through since.
  transfers = make_deposits(api, account.id, 3, transfers);
  read_until_transfers(stream, transfers, delivered);
  CHECK(stream.reconnections() >= 1);
  // And live again after the replay.
  transfers = make_deposits(api, account.id, 2, transfers);
  read_until_transfers(stream, transfers, delivered);

  read_until_balance(stream, 800, delivered);

  CHECK(stream.last_seq() == delivered.events.back().seq);
  check_no_gap_no_duplicate(delivered, transfers, account.id, api);
}

TEST_CASE("the stream resumes after the server is killed and started again", "[client][stream][restart]") {
  test_server server;
  auto api = client_for(server, acme_key);
  auto account = make_funded_account(api, 0).account;
  fault_proxy proxy(server.port());
  client::stream_options options;
  options.topics = {account.id};
  options.since = 0;
  auto stream = client::event_stream(options_for(proxy.base_url(), acme_key), options);

  delivered_events delivered;
  auto transfers = make_deposits(api, account.id, 2);
  read_until_transfers(stream, transfers, delivered);
  REQUIRE(delivered.deliveries_of_transfer.size() == 2);

  server.kill();
  // While it is down the subscription delivers what it had received, then tries, and
  // fails, to reconnect: next_event times out instead of throwing.
  while (auto happened = stream.next_event(std::chrono::milliseconds(700))) {
    delivered.add(std::move(*happened));
  }
  server.start();
  proxy.retarget(server.port());
  auto restarted = client_for(server, acme_key);
  transfers = make_deposits(restarted, account.id, 3, transfers);
  read_until_transfers(stream, transfers, delivered);
  read_until_balance(stream, 500, delivered);

  CHECK(stream.reconnections() >= 1);
  check_no_gap_no_duplicate(delivered, transfers, account.id, restarted);
}

} // namespace settle::client_tests
