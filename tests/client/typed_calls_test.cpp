// Every typed call against a real settled: the values it returns are the server's, in
// the right fields and types.
#include "tests/client/client_testing.hpp"

#include <algorithm>

namespace settle::client_tests {

TEST_CASE("users: create, get, list, update and delete return typed users", "[client][users]") {
  auto api = client_for(shared_server(), acme_key);
  auto created = api.create_user({"Ada Lovelace", "ada@example.com"});
  CHECK(created.id.rfind("usr_", 0) == 0);
  CHECK(created.name == "Ada Lovelace");
  CHECK(created.email == "ada@example.com");
  CHECK(created.created_at.size() == 24); // 2026-11-27T10:00:00.123Z
  CHECK(api.last_call().status == 201);
  CHECK_FALSE(api.last_call().idempotency_key.empty());

  auto read = api.get_user(created.id);
  CHECK(read.id == created.id);
  CHECK(read.email == created.email);
  CHECK(api.last_call().idempotency_key.empty()); // GET carries none

  auto newest = api.list_users({1, std::nullopt});
  REQUIRE(newest.data.size() == 1);
  CHECK(newest.data.front().id == created.id); // newest first
  CHECK(newest.has_more);

  auto renamed = api.update_user(created.id, {std::string("Ada King"), std::nullopt});
  CHECK(renamed.name == "Ada King");
  CHECK(renamed.email == "ada@example.com");

  auto deleted = api.delete_user(created.id);
  CHECK(deleted.id == created.id);
  CHECK(deleted.deleted);
}

TEST_CASE("accounts: create, deposit, withdraw, entries, list and close", "[client][accounts]") {
  auto api = client_for(shared_server(), acme_key);
  auto owner = api.create_user({"Ada", "ada@example.com"});
  auto created = api.create_account({owner.id, "EUR", std::int64_t{500}});
  CHECK(created.id.rfind("acc_", 0) == 0);
  CHECK(created.user_id == owner.id);
  CHECK(created.currency == "EUR");
  CHECK(created.balance == 0);
  CHECK(created.overdraft_limit == 500);
  CHECK(created.available == 500);
  CHECK(created.status == "open");

  auto deposit = api.deposit(created.id, 10'000);
  CHECK(deposit.kind == "deposit");
  CHECK(deposit.to_account == created.id);
  CHECK(deposit.from_account == "acc_world_EUR");
  CHECK(deposit.amount == 10'000);
  CHECK(deposit.status == "settled");
  auto withdrawal = api.withdraw(created.id, 10'300); // 300 into the overdraft
  CHECK(withdrawal.kind == "withdrawal");
  CHECK(withdrawal.to_account == "acc_world_EUR");

  auto read = api.get_account(created.id);
  CHECK(read.balance == -300);
  CHECK(read.available == 200);

  auto entries = api.list_entries(created.id);
  REQUIRE(entries.data.size() == 2);
  CHECK(entries.data[0].transfer_id == withdrawal.id); // newest first
  CHECK(entries.data[0].amount == -10'300);
  CHECK(entries.data[0].balance_after == -300);
  CHECK(entries.data[1].kind == "deposit");
  CHECK(entries.data[1].amount == 10'000);
  CHECK_FALSE(entries.data[1].order_id.has_value());

  auto listed = api.list_accounts(owner.id);
  REQUIRE(listed.data.size() == 1);
  CHECK(listed.data.front().id == created.id);
  CHECK_FALSE(listed.has_more);

  api.deposit(created.id, 300);
  auto closed = api.close_account(created.id);
  CHECK(closed.status == "closed");
}

TEST_CASE("transfers: create, get and list", "[client][transfers]") {
  auto api = client_for(shared_server(), acme_key);
  auto payer = make_funded_account(api, 10'000);
  auto payee = make_funded_account(api, 0);
  auto paid = api.create_transfer({payer.account.id, payee.account.id, 2'500, "USD", std::string("rent")});
  CHECK(paid.id.rfind("trf_", 0) == 0);
  CHECK(paid.kind == "transfer");
  CHECK(paid.from_account == payer.account.id);
  CHECK(paid.to_account == payee.account.id);
  CHECK(paid.amount == 2'500);
  CHECK(paid.currency == "USD");
  CHECK(paid.description == "rent");
  CHECK(paid.status == "settled");
  CHECK_FALSE(paid.order_id.has_value());
  CHECK(api.last_call().status == 201);
  CHECK_FALSE(api.last_call().replayed);

  CHECK(api.get_transfer(paid.id).amount == 2'500);
  auto listed = api.list_transfers(payee.account.id);
  REQUIRE(listed.data.size() == 1);
  CHECK(listed.data.front().id == paid.id);
  CHECK(api.get_account(payer.account.id).balance == 7'500);
  CHECK(api.get_account(payee.account.id).balance == 2'500);
}

TEST_CASE("batches: each item's result, and an atomic batch that settles nothing", "[client][batches]") {
  auto api = client_for(shared_server(), acme_key);
  auto payer = make_funded_account(api, 1'000);
  auto payee = make_funded_account(api, 0);
  const client::new_transfer small{payer.account.id, payee.account.id, 300, "USD", std::nullopt};
  const client::new_transfer too_large{payer.account.id, payee.account.id, 5'000, "USD", std::nullopt};

  auto mixed = api.create_batch({small, too_large, small}, false);
  REQUIRE(mixed.results.size() == 3);
  CHECK(mixed.results[0].succeeded());
  CHECK(mixed.results[0].settled->amount == 300);
  REQUIRE_FALSE(mixed.results[1].succeeded());
  CHECK(mixed.results[1].error->code == "insufficient_funds");
  CHECK(mixed.results[2].succeeded());
  CHECK(api.get_account(payee.account.id).balance == 600);

  auto atomic = api.create_batch({small, too_large}, true);
  REQUIRE(atomic.results.size() == 2);
  REQUIRE(atomic.results[0].error.has_value());
  CHECK(atomic.results[0].error->code == "batch_aborted");
  CHECK(atomic.results[1].error->code == "insufficient_funds");
  CHECK(api.get_account(payee.account.id).balance == 600);
}

TEST_CASE("orders: create, confirm, capture, refund, cancel, update, get and list", "[client][orders]") {
  auto api = client_for(shared_server(), acme_key);
  auto payer = make_funded_account(api, 10'000);
  auto payee = make_funded_account(api, 0);
  client::new_order manual{payer.account.id, payee.account.id, 3'000, "USD", "manual", std::string("books"),
                           std::chrono::seconds(600)};
  auto created = api.create_order(manual);
  CHECK(created.id.rfind("ord_", 0) == 0);
  CHECK(created.status == "created");
  CHECK(created.capture_method == "manual");
  CHECK_FALSE(created.expires_at.has_value());

  auto authorized = api.confirm_order(created.id);
  CHECK(authorized.status == "authorized");
  CHECK(authorized.amount_authorized == 3'000);
  CHECK(authorized.expires_at.has_value());
  CHECK(api.get_account(payer.account.id).held == 3'000);

  auto settled = api.capture_order(created.id, 2'000);
  CHECK(settled.status == "settled");
  CHECK(settled.amount_captured == 2'000);
  CHECK(api.get_account(payer.account.id).held == 0);

  auto refunded = api.refund_order(created.id, 500);
  CHECK(refunded.status == "partially_refunded");
  CHECK(refunded.amount_refunded == 500);

  auto renamed = api.update_order(created.id, "used books");
  CHECK(renamed.description == "used books");
  CHECK(api.get_order(created.id).description == "used books");

  auto second = api.create_order({payer.account.id, payee.account.id, 100, "USD", "automatic", std::nullopt,
                                  std::nullopt});
  CHECK(api.cancel_order(second.id).status == "cancelled");

  auto partially = api.list_orders({payer.account.id, std::string("partially_refunded")});
  REQUIRE(partially.data.size() == 1);
  CHECK(partially.data.front().id == created.id);
  auto all = api.list_orders({payer.account.id, std::nullopt});
  REQUIRE(all.data.size() == 2);
  CHECK(all.data.front().id == second.id); // newest first
}

TEST_CASE("events: the log returns typed events in seq order", "[client][events]") {
  auto api = client_for(shared_server(), acme_key);
  auto payer = make_funded_account(api, 700);
  auto events = api.list_events(0, 100);
  REQUIRE_FALSE(events.data.empty());
  CHECK(std::is_sorted(events.data.begin(), events.data.end(),
                       [](const auto& left, const auto& right) { return left.seq < right.seq; }));
  // Page to the end: the funded account's creation is in the log, typed.
  bool found = false;
  for (auto after = std::int64_t{0};;) {
    auto page = api.list_events(after, 100);
    for (const auto& happened : page.data) {
      const auto* account = std::get_if<client::account>(&happened.object);
      found = found || (happened.name == "account.created" && account && account->id == payer.account.id);
      after = happened.seq;
    }
    if (!page.has_more) {
      break;
    }
  }
  CHECK(found);
}

} // namespace settle::client_tests
