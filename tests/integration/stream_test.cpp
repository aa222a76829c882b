// Live status over WebSocket, GET /v1/stream: authentication by the upgrade's header or by
// a first `auth` message within 5 s (else, and for a wrong key, close 1008); 426 without an
// upgrade; subscriptions acknowledged; events of deposits, transfers and orders carrying
// the objects as GET answers them, exactly the events GET /v1/events serves; `*` limited to
// the key's tenant; an account's topic with the transfers and orders touching it; another
// tenant's object delivering nothing; `since` replaying stored events then live ones with
// no gap and no duplicate while transfers go on; a consumer that does not read closed with
// 1013 while payments keep being answered, and resuming with `since`.
#include "tests/integration/harness/event_helpers.hpp"
#include "tests/integration/harness/testing.hpp"
#include "tests/integration/harness/transfer_load.hpp"
#include "tests/integration/harness/websocket_client.hpp"

#include <algorithm>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <set>

using namespace settle::integration;
namespace json = boost::json;
using namespace std::chrono_literals;

namespace {

const auto event_keys = key_set({"type", "seq", "event", "object", "at"});

json::array topics_of(const std::vector<std::string>& topics) {
  json::array array;
  for (const auto& topic : topics) {
    array.emplace_back(topic);
  }
  return array;
}

websocket_options without_key() { return {}; }

// A received message as a JSON object; one that is not is kept as {"unparsable": text},
// which no check accepts as an event, so that a garbled frame is reported, not thrown.
json::object message_object(const std::string& text) {
  json::error_code error;
  auto value = json::parse(text, error);
  if (error || !value.is_object()) {
    return json::object{{"unparsable", text.substr(0, 300)}};
  }
  return std::move(value.as_object());
}

// A stream connection of a test: subscribing, and receiving the events that GET
// /v1/events says must arrive. Events that come before an acknowledgement are kept for
// the next receive.
class stream {
 public:
  stream(std::uint16_t port, const std::string& key) : client_(std::make_unique<websocket_client>(port, key)) {}
  explicit stream(std::unique_ptr<websocket_client> client) : client_(std::move(client)) {}

  websocket_client& client() { return *client_; }

  // Sends a subscription and returns the acknowledgement. Messages other than events before
  // it (e.g. an answer to `auth`, which the contract leaves open) are passed over, except
  // an error.
  json::object subscribe(const std::vector<std::string>& topics, std::optional<std::int64_t> since = std::nullopt) {
    json::object request{{"type", "subscribe"}, {"topics", topics_of(topics)}};
    if (since) {
      request["since"] = *since;
    }
    client_->send_json(request);
    for (int messages = 0; messages < 100'000; ++messages) {
      auto message = client_->read_json(5s);
      if (message.contains("type") && message.at("type") == "subscribed") {
        return message;
      }
      if (message.contains("type") && message.at("type") == "event") {
        early_.push_back(std::move(message));
      } else if (message.contains("type") && message.at("type") == "error") {
        throw websocket_error("subscription refused: " + json::serialize(message));
      }
    }
    throw websocket_error("no acknowledgement of the subscription");
  }

  // Reads until every seq of `expected` has arrived, the connection ends or `wait`
  // passes; then a little longer, so that a duplicate or a stray event is seen as well.
  event_list receive(const event_list& expected, std::chrono::milliseconds wait = 15s) {
    std::set<std::int64_t> missing;
    for (const auto& event : expected) {
      missing.insert(seq_of(event));
    }
    event_list received;
    const auto take = [&](json::object message) {
      if (message.contains("seq") && message.at("seq").is_int64()) {
        missing.erase(message.at("seq").as_int64());
      }
      received.push_back(std::move(message));
    };
    for (auto& message : early_) {
      take(std::move(message));
    }
    early_.clear();
    const auto deadline = std::chrono::steady_clock::now() + wait;
    while (!missing.empty() && std::chrono::steady_clock::now() < deadline) {
      const auto message = client_->read(100ms);
      if (message.what == websocket_message::kind::closed) {
        ended_ = message;
        return received;
      }
      if (message.what == websocket_message::kind::text) {
        take(message_object(message.text));
      }
    }
    for (;;) {
      const auto message = client_->read(300ms);
      if (message.what != websocket_message::kind::text) {
        if (message.what == websocket_message::kind::closed) {
          ended_ = message;
        }
        return received;
      }
      take(message_object(message.text));
    }
  }

  // The next message within `wait`: timed_out when nothing arrives.
  websocket_message next_within(std::chrono::milliseconds wait) {
    if (!early_.empty()) {
      websocket_message message;
      message.what = websocket_message::kind::text;
      message.text = json::serialize(early_.front());
      early_.erase(early_.begin());
      return message;
    }
    return client_->read(wait);
  }

  // How the connection ended, if it did during a receive().
  std::optional<websocket_message> ended() const { return ended_; }

 private:
  std::unique_ptr<websocket_client> client_;
  event_list early_;
  std::optional<websocket_message> ended_;
};

// What differs between the events a stream delivered and those GET /v1/events serves: the
// shape of each, the set of seqs (no gap, no duplicate, nothing else), each event equal to
// the stored one with its seq, and the events of each object in the order of their seqs.
std::vector<std::string> stream_problems(const event_list& received, const event_list& expected) {
  std::vector<std::string> problems;
  std::map<std::int64_t, json::object> stored;
  for (const auto& event : expected) {
    stored.emplace(seq_of(event), event);
  }
  std::set<std::int64_t> seen;
  std::map<std::string, std::int64_t> last_of_object;
  for (const auto& event : received) {
    const auto text = json::serialize(event);
    if (keys_of(event) != event_keys || event.at("type") != "event" || !event.at("seq").is_int64() ||
        !event.at("object").is_object()) {
      problems.push_back("not an event: " + text.substr(0, 300));
      continue;
    }
    const auto seq = seq_of(event);
    if (!seen.insert(seq).second) {
      problems.push_back("delivered twice: seq " + std::to_string(seq));
    }
    const auto found = stored.find(seq);
    if (found == stored.end()) {
      problems.push_back("not expected: " + text.substr(0, 300));
    } else if (found->second != event) {
      problems.push_back("differs from GET /v1/events: " + text.substr(0, 300) + " vs " +
                         json::serialize(found->second).substr(0, 300));
    }
    const auto object = id_of(object_field(event, "object"));
    const auto previous = last_of_object.find(object);
    if (previous != last_of_object.end() && previous->second > seq) {
      problems.push_back("events of " + object + " out of order: seq " + std::to_string(seq) + " after seq " +
                         std::to_string(previous->second));
    }
    last_of_object[object] = seq;
  }
  std::size_t missing = 0;
  std::string first_missing;
  for (const auto& [seq, event] : stored) {
    if (!seen.count(seq)) {
      if (missing++ == 0) {
        first_missing = json::serialize(event).substr(0, 300);
      }
    }
  }
  if (missing) {
    problems.push_back(std::to_string(missing) + " of " + std::to_string(stored.size()) +
                       " events not delivered, the first: " + first_missing);
  }
  return problems;
}

json::object last_object(const event_list& events, const std::string& name, const std::string& id) {
  const auto found = matching(events, name, id);
  if (found.empty()) {
    throw std::runtime_error("no " + name + " of " + id);
  }
  return object_field(found.back(), "object");
}

bool field_is(const json::object& object, const char* field, const std::string& value) {
  return object.contains(field) && object.at(field) == json::value(value);
}

// Whether an event belongs to an account's topic: the account itself, or a transfer or an
// order that touches it.
bool touches_account(const json::object& event, const std::string& account_id) {
  const auto& object = event.at("object").as_object();
  return field_is(object, "id", account_id) || field_is(object, "from_account", account_id) ||
         field_is(object, "to_account", account_id) || field_is(object, "payer_account", account_id) ||
         field_is(object, "payee_account", account_id);
}

event_list only_touching(const event_list& events, const std::string& account_id) {
  event_list kept;
  std::copy_if(events.begin(), events.end(), std::back_inserter(kept),
               [&](const json::object& event) { return touches_account(event, account_id); });
  return kept;
}

// Posts `batches` non-atomic batches of `size` transfers of 1 from one account to another;
// returns how many settled.
std::size_t post_batches(api_client& client, const std::string& from, const std::string& to, int batches, int size,
                         const std::string& description) {
  std::size_t settled = 0;
  for (int batch = 0; batch < batches; ++batch) {
    json::array transfers;
    for (int item = 0; item < size; ++item) {
      auto request = transfer_request(from, to, 1);
      request["description"] = description;
      transfers.push_back(std::move(request));
    }
    const auto response =
        client.post("/v1/transfers/batch", json::object{{"atomic", false}, {"transfers", std::move(transfers)}});
    if (response.status != 200) {
      throw std::runtime_error("POST /v1/transfers/batch: " + std::to_string(response.status) + " " +
                               response.body.substr(0, 500));
    }
    const auto answer = json_object(response);
    for (const auto& result : answer.at("results").as_array()) {
      settled += result.as_object().contains("id");
    }
  }
  return settled;
}

}  // namespace

TEST_CASE("GET /v1/stream without a WebSocket upgrade is 426", "[stream]") {
  auto& server = shared_server();
  CHECK_ERROR(server.acme().get("/v1/stream"), 426, "upgrade_required", any_param);
}

TEST_CASE("the stream authenticates by the upgrade's header or by a first auth message", "[stream]") {
  auto& server = shared_server();
  auto& client = server.acme();
  const auto account_id = new_account(client);
  std::unique_ptr<stream> connection;

  SECTION("Authorization header") { connection = std::make_unique<stream>(server.port(), acme_key); }
  SECTION("first message") {
    auto socket = std::make_unique<websocket_client>(server.port(), without_key());
    socket->send_json(json::object{{"type", "auth"}, {"token", acme_key}});
    connection = std::make_unique<stream>(std::move(socket));
  }

  const auto ack = connection->subscribe({account_id});
  CHECK(ack == json::object{{"type", "subscribed"}, {"topics", json::array{json::value(account_id)}}});
  const auto after = last_seq(client);
  const auto transfer = deposit(client, account_id, 321);
  const auto expected = events_after(client, after);
  REQUIRE(expected.size() == 2);
  const auto received = connection->receive(expected);
  CHECK(stream_problems(received, expected) == std::vector<std::string>{});
  CHECK(last_object(received, "transfer.settled", id_of(transfer)) == transfer);
  CHECK(last_object(received, "account.updated", account_id) == get_object(client, account_path(account_id)));
}

TEST_CASE("the stream closes with 1008 without a valid key", "[stream]") {
  auto& server = shared_server();
  websocket_message ending;

  SECTION("no auth message within 5 seconds") {
    websocket_client socket(server.port(), without_key());
    ending = socket.read_until_closed(10s);
  }
  SECTION("a wrong key in the auth message") {
    websocket_client socket(server.port(), without_key());
    socket.send_json(json::object{{"type", "auth"}, {"token", "sk_test_nobody_000000"}});
    ending = socket.read_until_closed(10s);
  }
  SECTION("a first message that is not auth") {
    websocket_client socket(server.port(), without_key());
    socket.send_json(json::object{{"type", "subscribe"}, {"topics", json::array{"*"}}});
    ending = socket.read_until_closed(10s);
  }
  SECTION("a wrong key in the Authorization header") {
    try {
      websocket_client socket(server.port(), std::string("sk_test_nobody_000000"));
      ending = socket.read_until_closed(10s);
    } catch (const websocket_upgrade_refused& refused) {
      FAIL("the upgrade with a wrong key was refused instead of closed with 1008: " << refused.what());
    }
  }
  INFO("the connection ended: " << ending.describe());
  CHECK(ending.what == websocket_message::kind::closed);
  CHECK(ending.close_code == 1008);
}

TEST_CASE("a deposit, a transfer and an order arrive with the objects as GET answers them", "[stream]") {
  auto& server = shared_server();
  auto& client = server.acme();
  const auto payer = funded_account(client, 10'000);
  const auto payee = new_account(client);
  stream connection(server.port(), acme_key);
  const auto ack = connection.subscribe({"*"});
  CHECK(ack == json::object{{"type", "subscribed"}, {"topics", json::array{"*"}}});
  const auto after = last_seq(client);

  const auto deposited = deposit(client, payer, 500);
  const auto response = post_transfer(client, payer, payee, 1200);
  REQUIRE_STATUS(response, 201);
  const auto transferred = json_object(response);
  const auto order_id = id_of(create_order(client, order_request(payer, payee, 800)));
  const auto authorized = order_action(client, order_id, "confirm");
  const auto settled = order_action(client, order_id, "capture");

  const auto expected = events_after(client, after);
  const auto received = connection.receive(expected);
  CHECK(stream_problems(received, expected) == std::vector<std::string>{});
  CHECK(last_object(received, "transfer.settled", id_of(deposited)) == deposited);
  CHECK(last_object(received, "transfer.settled", id_of(transferred)) ==
        get_object(client, "/v1/transfers/" + id_of(transferred)));
  CHECK(last_object(received, "order.authorized", order_id) == authorized);
  CHECK(last_object(received, "order.settled", order_id) == settled);
  CHECK(settled == get_object(client, "/v1/orders/" + order_id));
  CHECK(last_object(received, "account.updated", payer) == get_object(client, account_path(payer)));
  CHECK(last_object(received, "account.updated", payee) == get_object(client, account_path(payee)));
  CHECK(integer_field(last_object(received, "account.updated", payee), "balance") == 2000);
}

TEST_CASE("`*` is every event of the key's tenant and nothing of another", "[stream]") {
  auto& server = shared_server();
  auto& acme = server.acme();
  auto& globex = server.globex();
  const auto acme_account = funded_account(acme, 5000);
  stream acme_stream(server.port(), acme_key);
  stream globex_stream(server.port(), globex_key);
  acme_stream.subscribe({"*"});
  globex_stream.subscribe({"*"});
  const auto acme_after = last_seq(acme);
  const auto globex_after = last_seq(globex);

  const auto globex_user = id_of(create_user(globex));
  const auto globex_account = id_of(create_account(globex, globex_user));
  deposit(globex, globex_account, 900);
  // Between the tenants: both sides see the transfer.
  const auto response = post_transfer(acme, acme_account, globex_account, 100);
  REQUIRE_STATUS(response, 201);
  const auto shared_transfer = id_of(json_object(response));
  deposit(acme, acme_account, 1);

  const auto acme_expected = events_after(acme, acme_after);
  const auto globex_expected = events_after(globex, globex_after);
  const auto acme_received = acme_stream.receive(acme_expected);
  const auto globex_received = globex_stream.receive(globex_expected);
  CHECK(stream_problems(acme_received, acme_expected) == std::vector<std::string>{});
  CHECK(stream_problems(globex_received, globex_expected) == std::vector<std::string>{});
  CHECK(matching(acme_received, "transfer.settled", shared_transfer).size() == 1);
  CHECK(matching(globex_received, "transfer.settled", shared_transfer).size() == 1);
  CHECK(matching(acme_received, "account.updated", globex_account).empty());
  CHECK(matching(acme_received, "account.created", globex_account).empty());
  CHECK(matching(acme_received, "user.created", globex_user).empty());
  CHECK(matching(globex_received, "account.updated", acme_account).empty());
  CHECK(last_object(globex_received, "account.updated", globex_account) ==
        get_object(globex, account_path(globex_account)));
}

TEST_CASE("an account's topic carries the account and the transfers and orders touching it", "[stream]") {
  auto& server = shared_server();
  auto& client = server.acme();
  const auto watched = funded_account(client, 10'000);
  const auto other = funded_account(client, 10'000);
  const auto third = new_account(client);
  stream connection(server.port(), acme_key);
  const auto ack = connection.subscribe({watched});
  CHECK(ack == json::object{{"type", "subscribed"}, {"topics", json::array{json::value(watched)}}});
  const auto after = last_seq(client);

  deposit(client, watched, 10);
  REQUIRE_STATUS(post_transfer(client, watched, other, 20), 201);
  REQUIRE_STATUS(post_transfer(client, other, watched, 30), 201);
  REQUIRE_STATUS(post_transfer(client, other, third, 40), 201);  // not the watched account's
  deposit(client, third, 50);                                      // neither
  const auto paying = id_of(create_order(client, order_request(watched, other, 60)));
  order_action(client, paying, "confirm");
  order_action(client, paying, "capture");
  const auto paid = id_of(create_order(client, order_request(other, watched, 70, "automatic")));
  order_action(client, paid, "confirm");
  const auto elsewhere = id_of(create_order(client, order_request(other, third, 80, "automatic")));
  order_action(client, elsewhere, "confirm");
  deposit(client, watched, 1);

  const auto all_events = events_after(client, after);
  const auto expected = only_touching(all_events, watched);
  const auto received = connection.receive(expected);
  CHECK(stream_problems(received, expected) == std::vector<std::string>{});
  CHECK_FALSE(matching(received, "order.settled", paying).empty());
  CHECK_FALSE(matching(received, "order.settled", paid).empty());
  CHECK(matching(received, "order.created", elsewhere).empty());
  CHECK(matching(received, "account.updated", other).empty());
  CHECK(last_object(received, "account.updated", watched) == get_object(client, account_path(watched)));
  // The expectation itself is not vacuous: the stream had to leave events out.
  CHECK(expected.size() < all_events.size());
}

TEST_CASE("an order's topic carries that order's events", "[stream]") {
  auto& server = shared_server();
  auto& client = server.acme();
  const auto payer = funded_account(client, 1000);
  const auto payee = new_account(client);
  const auto order_id = id_of(create_order(client, order_request(payer, payee, 300)));
  stream connection(server.port(), acme_key);
  connection.subscribe({order_id});
  const auto after = last_seq(client);
  order_action(client, order_id, "confirm");
  deposit(client, payer, 5);
  order_action(client, order_id, "capture", json::object{{"amount", 100}});
  order_action(client, order_id, "refunds", json::object{{"amount", 100}});

  const auto all_events = events_after(client, after);
  event_list order_events;
  for (const auto& event : all_events) {
    if (id_of(object_field(event, "object")) == order_id) {
      order_events.push_back(event);
    }
  }
  REQUIRE(order_events.size() == 3);  // authorized, settled, refunded
  const auto received = connection.receive(order_events);
  // The order's own events, all of them and in order; a transfer of the order (capture,
  // refund) may come along, but nothing unrelated.
  event_list own;
  for (const auto& event : received) {
    const auto object = object_field(event, "object");
    if (id_of(object) == order_id) {
      own.push_back(event);
    } else {
      INFO(json::serialize(event));
      CHECK(field_is(object, "order_id", order_id));
    }
  }
  CHECK(stream_problems(own, order_events) == std::vector<std::string>{});
  CHECK(object_field(own.back(), "object") == get_object(client, "/v1/orders/" + order_id));
}

TEST_CASE("a topic naming another tenant's object delivers nothing", "[stream]") {
  auto& server = shared_server();
  auto& globex = server.globex();
  const auto globex_account = funded_account(globex, 1000);
  const auto globex_other = new_account(globex);
  const auto globex_order = id_of(create_order(globex, order_request(globex_account, globex_other, 10)));
  stream spy(server.port(), acme_key);
  const auto ack = spy.subscribe({globex_account, globex_order, "acc_doesnotexist000000000000"});
  CHECK(ack.at("type") == "subscribed");
  stream owner(server.port(), globex_key);
  owner.subscribe({globex_account});
  const auto after = last_seq(globex);

  deposit(globex, globex_account, 10);
  REQUIRE_STATUS(post_transfer(globex, globex_account, globex_other, 20), 201);
  order_action(globex, globex_order, "confirm");

  // Once the owner has everything, the spy must still have nothing.
  const auto expected = only_touching(events_after(globex, after), globex_account);
  REQUIRE(expected.size() >= 5);
  CHECK(stream_problems(owner.receive(expected), expected) == std::vector<std::string>{});
  const auto delivered = spy.next_within(500ms);
  INFO("the spy received: " << delivered.describe());
  CHECK(delivered.what == websocket_message::kind::timed_out);
}

TEST_CASE("`since` replays stored events, then live ones, with no gap and no duplicate", "[stream][concurrency]") {
  auto& server = shared_server();
  auto& client = server.acme();
  auto plan = funded_load_plan(client, acme_key, 6, 1'000'000);
  plan.threads = 4;
  plan.max_amount = 1000;
  const auto since = last_seq(client);
  {
    // Stored before the subscription: the replay.
    plan.transfers_per_thread = 50;
    plan.seed = 41;
    transfer_load backlog(server.port(), plan);
    REQUIRE(unexpected_answers(backlog.finish()) == std::vector<std::string>{});
  }
  // Transfers go on during the replay and after it.
  plan.transfers_per_thread = 60;
  plan.seed = 42;
  transfer_load live(server.port(), plan);
  REQUIRE(live.wait_for_answers(20, 10s));
  stream connection(server.port(), acme_key);
  connection.subscribe({"*"}, since);
  const auto outcome = live.finish();
  CHECK(unexpected_answers(outcome) == std::vector<std::string>{});
  CHECK(outcome.unanswered.empty());
  deposit(client, plan.accounts.front(), 1);

  const auto expected = events_after(client, since);
  REQUIRE(expected.size() > 400);
  const auto received = connection.receive(expected, 30s);
  CHECK(stream_problems(received, expected) == std::vector<std::string>{});
  // The stored events come first, in the order of their seqs.
  std::vector<std::int64_t> first_seqs;
  for (std::size_t index = 0; index < std::min<std::size_t>(received.size(), 300); ++index) {
    first_seqs.push_back(seq_of(received[index]));
  }
  CHECK(std::is_sorted(first_seqs.begin(), first_seqs.end()));
}

TEST_CASE("`since` beyond 2^63 - 1 is refused, and the largest since replays nothing", "[stream]") {
  auto& server = shared_server();
  auto& client = server.acme();
  deposit(client, funded_account(client, 10), 1); // the history is not empty
  stream connection(server.port(), acme_key);
  for (std::uint64_t since : {std::uint64_t{1} << 63, ~std::uint64_t{0}}) {
    INFO("since " << since);
    connection.client().send_json(json::object{
      {"type", "subscribe"}, {"topics", topics_of({"*"})}, {"since", since}});
    auto answer = connection.client().read_json(5s);
    CHECK(answer.at("type") == "error");
  }
  connection.subscribe({"*"}, std::numeric_limits<std::int64_t>::max());
  const auto replayed = connection.next_within(500ms);
  INFO("after the largest since: " << replayed.describe());
  CHECK(replayed.what == websocket_message::kind::timed_out);
}

TEST_CASE("a consumer resuming with `since` after thousands of events catches up", "[stream]") {
  auto& server = shared_server();
  auto& client = server.acme();
  const auto from = funded_account(client, 1'000'000);
  const auto to = new_account(client);
  const auto since = last_seq(client);
  REQUIRE(post_batches(client, from, to, 3, 1000, "catch-up") == 3000);
  const auto expected = events_after(client, since);
  REQUIRE(expected.size() >= 3000);

  // A consumer that reads as fast as it can is not too slow, however long the replay.
  stream connection(server.port(), acme_key);
  connection.subscribe({"*"}, since);
  const auto received = connection.receive(expected, 30s);
  INFO("the connection " << (connection.ended() ? "ended: " + connection.ended()->describe() : "is open"));
  CHECK_FALSE(connection.ended().has_value());
  CHECK(stream_problems(received, expected) == std::vector<std::string>{});
}

TEST_CASE("a consumer that does not read is closed with 1013 and resumes with since", "[stream][concurrency]") {
  // A server of its own: thousands of events, and a closed consumer, stay with this test.
  test_server server;
  auto& client = server.acme();
  auto plan = funded_load_plan(client, acme_key, 8, 10'000'000);
  plan.threads = 6;
  plan.transfers_per_thread = 100;
  plan.max_amount = 1000;
  plan.seed = 43;
  // The bulk comes in batches of transfers with long descriptions: about 8 MB of events,
  // more than the socket buffers of both sides can hold, so the server has to notice.
  const auto bulk_from = funded_account(client, 1'000'000'000);
  const auto bulk_to = new_account(client);
  const std::string long_description(900, 'x');
  const auto since = last_seq(client);

  websocket_options options;
  options.headers.emplace_back("Authorization", "Bearer " + acme_key);
  options.receive_buffer_bytes = 4096;
  auto slow = std::make_unique<stream>(std::make_unique<websocket_client>(server.port(), options));
  slow->subscribe({"*"});
  slow->client().pause_reading();

  transfer_load load(server.port(), plan);
  const auto bulk_settled = post_batches(client, bulk_from, bulk_to, 12, 500, long_description);
  const auto outcome = load.finish();
  // The payment path went on whatever the consumer did.
  CHECK(bulk_settled == 12 * 500);
  CHECK(unexpected_answers(outcome) == std::vector<std::string>{});
  CHECK(outcome.unanswered.empty());
  CHECK(outcome.settled.size() + outcome.refused_for_funds.size() == plan.threads * plan.transfers_per_thread);
  const auto expected = events_after(client, since);
  REQUIRE(expected.size() >= 6000);

  // What was delivered before the close is a gap-free prefix; then the close with 1013.
  event_list before_close;
  websocket_message ending;
  for (const auto deadline = std::chrono::steady_clock::now() + 60s;;) {
    ending = slow->client().read(2s);
    if (ending.what != websocket_message::kind::text || std::chrono::steady_clock::now() > deadline) {
      break;
    }
    before_close.push_back(message_object(ending.text));
  }
  INFO(before_close.size() << " events before the end, which was: " << ending.describe());
  CHECK(ending.what == websocket_message::kind::closed);
  CHECK(ending.close_code == 1013);
  // Closing a slow consumer must not take the server down.
  REQUIRE(server.process().running());
  REQUIRE(before_close.size() < expected.size());
  // Delivered in the order of seq, a consumer resumes after the newest seq it received.
  std::int64_t resume_from = since;
  for (const auto& event : before_close) {
    if (event.contains("seq") && event.at("seq").is_int64()) {
      resume_from = std::max(resume_from, seq_of(event));
    }
  }
  event_list prefix;
  event_list rest;
  for (const auto& event : expected) {
    (seq_of(event) <= resume_from ? prefix : rest).push_back(event);
  }
  CHECK(stream_problems(before_close, prefix) == std::vector<std::string>{});

  // Resuming from there delivers the rest.
  stream resumed(server.port(), acme_key);
  resumed.subscribe({"*"}, resume_from);
  CHECK(stream_problems(resumed.receive(rest, 60s), rest) == std::vector<std::string>{});
  // And the server still serves: a new transfer arrives live.
  const auto transfer = deposit(client, plan.accounts.front(), 7);
  const auto live = events_after(client, seq_of(expected.back()));
  const auto received_live = resumed.receive(live);
  CHECK(stream_problems(received_live, live) == std::vector<std::string>{});
  CHECK(last_object(received_live, "transfer.settled", id_of(transfer)) == transfer);
}
