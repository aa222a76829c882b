// A request that the node answers 503 because it took too long is never applied, and a
// request whose commit had begun when its time ran out is answered with its real outcome
// (see request_deadline.hpp). The commits are held back by a lock on the storage that the
// test takes from a connection of its own, as a long transaction of another program would.
// And payments do not wait behind clients' reads, which have readers of their own.
#include "tests/integration/harness/storage_write_lock.hpp"
#include "tests/integration/harness/testing.hpp"

#include <future>

using namespace settle::integration;
namespace json = boost::json;

namespace {

constexpr auto request_timeout = std::chrono::seconds{1};

// One request sent on its own connection; its answer is awaited later.
std::future<http_response> send_async(const test_server& server, std::string target,
                                      json::object body, header_list headers = {}) {
  auto client = server.new_client(acme_key);
  return std::async(std::launch::async, [client = std::move(client), target, body, headers]() {
    return client->post(target, body, headers);
  });
}

bool is_success(unsigned status) { return status >= 200 && status < 300; }

} // namespace

TEST_CASE("a request answered 503 for its deadline is never applied; one whose commit began gets its outcome",
          "[deadline]") {
  test_server server{{"--http.request-timeout=" + std::to_string(request_timeout.count())}};
  auto& acme = server.acme();
  const auto payer = funded_account(acme, 100000);
  const auto payee = new_account(acme);
  const auto order = create_order(acme, order_request(payer, payee, 700, "manual"));
  const std::string order_id{order.at("id").as_string()};
  const auto users_before = list_all(acme, "/v1/users").size();

  storage_write_lock lock{server.storage_url()};
  // The first transfer's commit begins and waits for the lock...
  auto first = send_async(server, "/v1/transfers", transfer_request(payer, payee, 1));
  const bool first_seen_waiting = lock.await_waiters(1, 2 * request_timeout);
  // ...and everything sent after it waits behind that commit, past its deadline.
  json::object batch{{"atomic", true},
                     {"transfers", json::array{transfer_request(payer, payee, 10),
                                               transfer_request(payer, payee, 20)}}};
  auto later_transfer = send_async(server, "/v1/transfers", transfer_request(payer, payee, 100));
  auto later_batch = send_async(server, "/v1/transfers/batch", batch);
  auto later_user = send_async(server, "/v1/users", {{"name", "Late"}, {"email", unique_email()}});
  auto later_confirm = send_async(server, order_path(order_id) + "/confirm", {});
  auto keyed = send_async(server, "/v1/transfers", transfer_request(payer, payee, 1000),
                          {{"Idempotency-Key", "deadline-" + random_hex(8)}});
  const std::string keyed_key = "deadline-" + random_hex(8);
  auto keyed_again = send_async(server, "/v1/transfers", transfer_request(payer, payee, 10000),
                                {{"Idempotency-Key", keyed_key}});

  std::vector<http_response> late{later_transfer.get(), later_batch.get(), later_user.get(),
                                  later_confirm.get(), keyed.get(), keyed_again.get()};
  lock.release();
  const auto first_answer = first.get();

  // Which movements were answered as applied: exactly those must be in the ledger.
  const std::vector<std::int64_t> amounts{1, 100, 30, 0, 0, 1000, 10000};
  std::vector<unsigned> statuses{first_answer.status};
  for (const auto& answer : late) {
    statuses.push_back(answer.status);
  }
  std::int64_t expected_payee = 0;
  int unavailable = 0;
  for (std::size_t index = 0; index < statuses.size(); ++index) {
    INFO("request " << index << " answered " << statuses[index]);
    CHECK((is_success(statuses[index]) || statuses[index] == 503));
    expected_payee += is_success(statuses[index]) ? amounts[index] : 0;
    unavailable += statuses[index] == 503 ? 1 : 0;
  }
  for (const auto& answer : late) {
    if (answer.status == 503) {
      CHECK_ERROR(answer, 503, "unavailable", no_param);
      CHECK(answer.header("Retry-After").has_value());
    }
  }
  // The lock was held until every later request was answered, so at least one of them
  // (all of them, when the first was seen waiting) ran out of time while waiting.
  CHECK(unavailable >= 1);
  if (first_seen_waiting) {
    CHECK_STATUS(first_answer, 201); // its commit had begun: its outcome, after the timeout
    for (const auto& answer : late) {
      CHECK(answer.status == 503);
    }
  }
  CHECK(balance_of(acme, payee) == expected_payee);
  CHECK(balance_of(acme, payer) == 100000 - expected_payee);
  const auto confirmed = get_object(acme, order_path(order_id));
  INFO("order after the confirm: " << json::serialize(confirmed));
  CHECK((confirmed.at("status") == "created") == (statuses[4] == 503));
  CHECK(list_all(acme, "/v1/users").size() == users_before + (is_success(statuses[3]) ? 1 : 0));

  // A 503 released its Idempotency-Key: the same request again is executed once, now.
  auto retried = acme.post("/v1/transfers", transfer_request(payer, payee, 10000),
                           {{"Idempotency-Key", keyed_key}});
  if (statuses[6] == 503) {
    CHECK_STATUS(retried, 201);
    CHECK(retried.header("Idempotent-Replayed") == std::nullopt);
    expected_payee += 10000;
  } else {
    CHECK(retried.header("Idempotent-Replayed") == std::optional<std::string>{"true"});
  }
  CHECK(balance_of(acme, payee) == expected_payee);
  CHECK(audit(server.admin()).at("ok") == true);
}

TEST_CASE("payments are served while clients' reads wait for the database", "[deadline]") {
  if (storage_kind_from_environment() != "postgresql") {
    return; // the lock that holds reads back is PostgreSQL's
  }
  test_server server{{"--storage.query-readers=2"}};
  auto& acme = server.acme();
  const auto account = new_account(acme);
  const auto user_count = list_all(acme, "/v1/users").size();
  // Every query reader waits on a list of users; a deposit (its idempotency lookup is a
  // read too) must not wait behind them.
  storage_write_lock users_locked{server.storage_url(), "users"};
  std::vector<std::future<http_response>> lists;
  for (int reader = 0; reader < 2; ++reader) {
    auto client = server.new_client(acme_key);
    lists.push_back(std::async(std::launch::async, [client = std::move(client)] {
      return client->get("/v1/users");
    }));
  }
  REQUIRE(users_locked.await_waiters(2, std::chrono::seconds{10}));
  auto deposited = acme.post("/v1/accounts/" + account + "/deposits", {{"amount", 500}},
                             {{"Idempotency-Key", "reads-" + random_hex(8)}});
  CHECK_STATUS(deposited, 201);
  for (auto& list : lists) {
    CHECK(list.wait_for(std::chrono::seconds{0}) == std::future_status::timeout);
  }
  users_locked.release();
  for (auto& list : lists) {
    auto answer = list.get();
    CHECK_STATUS(answer, 200);
  }
  CHECK(balance_of(acme, account) == 500);
  CHECK(list_all(acme, "/v1/users").size() == user_count);
}
