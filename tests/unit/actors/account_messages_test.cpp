// An account actor takes leg messages from its own node and from other nodes alike, so it
// checks them as the HTTP ingress checks a client's request: a malformed leg (an amount
// out of range, no id, an id already reserved, a release or capture of more than is held)
// is refused with an error answer, changes nothing, and never stops the actor or the node.
#include "tests/unit/support/temporary_directory.hpp"
#include "tests/unit/support/test_node.hpp"

#include "actors/messages.hpp"
#include "domain/money.hpp"

#include <catch2/catch.hpp>

#include <caf/all.hpp>

namespace {

using settle::leg_kind;
using settle::leg_request;
using settle::requester;
using settle::testing::test_node;

const requester acme{"acme", false, {}};
const requester system_requester{"_system", true, {}};

// Sends one leg to the account's actor as a peer would (through its region), and
// returns the error code of the answer, or "reserved".
template <class Atom>
std::string send_leg(test_node& node, const std::string& account, leg_request leg) {
  caf::scoped_actor self{node.system()};
  std::string outcome = "no answer";
  self->request(node.actors().accounts, std::chrono::seconds{10}, settle::lookup_atom::value, account)
    .receive(
      [&](settle::account_actor& actor, settle::persistence::shard_fence&) {
        self->request(actor, std::chrono::seconds{10}, Atom::value, std::move(leg))
          .receive([&](settle::account_record&) { outcome = "reserved"; },
                   [&](caf::error& error) { outcome = settle::to_failure(error).message; });
      },
      [&](caf::error& error) { outcome = "lookup failed: " + node.system().render(error); });
  return outcome;
}

leg_request leg(const std::string& id, std::int64_t amount, leg_kind kind = leg_kind::debit,
                std::int64_t hold_amount = 0) {
  leg_request request;
  request.transfer.id = settle::transfer_id{id};
  request.transfer.amount = amount;
  request.transfer.currency = "USD";
  request.who = system_requester;
  request.kind = kind;
  request.hold_amount = hold_amount;
  return request;
}

void release(test_node& node, const std::string& account, const std::string& id) {
  caf::scoped_actor self{node.system()};
  self->request(node.actors().accounts, std::chrono::seconds{10}, settle::lookup_atom::value, account)
    .receive(
      [&](settle::account_actor& actor, settle::persistence::shard_fence&) {
        self->anon_send(actor, settle::settle_legs_atom::value, std::vector<std::string>{id},
                        false);
      },
      [](caf::error&) {});
}

}  // namespace

TEST_CASE("malformed legs from a peer are refused and change nothing", "[actors][account]") {
  settle::testing::temporary_directory directory;
  test_node node{settle::testing::sqlite_node_options(directory.file("settle.db"))};
  const auto user = settle::testing::create_user(node, acme);
  const auto account = settle::testing::open_account(node, acme, user);
  settle::testing::deposit(node, acme, account, 1000);

  for (std::int64_t amount : {std::int64_t{0}, std::int64_t{-5}, settle::maximum_amount + 1}) {
    INFO("amount " << amount);
    CHECK(send_leg<settle::debit_atom>(node, account, leg("trf_bad", amount)) != "reserved");
    CHECK(send_leg<settle::credit_atom>(node, account, leg("trf_bad", amount)) != "reserved");
    CHECK(send_leg<settle::hold_atom>(node, account, leg("hld_bad", amount, leg_kind::hold)) != "reserved");
  }
  CHECK(send_leg<settle::debit_atom>(node, account, leg("", 5)) != "reserved");
  CHECK(send_leg<settle::debit_atom>(node, account, leg(std::string(65, 'x'), 5)) != "reserved");
  // An id already reserved here is not overwritten.
  CHECK(send_leg<settle::credit_atom>(node, account, leg("trf_twice", 7)) == "reserved");
  CHECK(send_leg<settle::debit_atom>(node, account, leg("trf_twice", 900)) != "reserved");
  release(node, account, "trf_twice");
  // Nothing is held: a release or a capture of held money is refused, not a crash.
  CHECK(send_leg<settle::hold_atom>(node, account, leg("hld_release", 10, leg_kind::release)) != "reserved");
  CHECK(send_leg<settle::hold_atom>(node, account, leg("hld_capture", 10, leg_kind::capture, 10)) != "reserved");
  // A capture above its hold is refused even when money is held.
  CHECK(send_leg<settle::hold_atom>(node, account, leg("hld_hold", 100, leg_kind::hold)) == "reserved");
  CHECK(send_leg<settle::hold_atom>(node, account, leg("hld_over", 101, leg_kind::capture, 100)) != "reserved");
  release(node, account, "hld_hold");

  // The actor and the node serve on, and the account is as it was.
  const auto record = settle::testing::account_of(node, acme, account);
  CHECK(settle::testing::integer_of(record, "balance") == 1000);
  CHECK(settle::testing::integer_of(record, "held") == 0);
  CHECK(send_leg<settle::debit_atom>(node, account, leg("trf_good", 10)) == "reserved");
  release(node, account, "trf_good");
  settle::testing::deposit(node, acme, account, 1);
  CHECK(settle::testing::integer_of(settle::testing::account_of(node, acme, account), "balance") == 1001);
}
