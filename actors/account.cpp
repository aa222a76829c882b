// The account actor is the only writer of its account's state. A transfer reserves its
// debit here (lowering what can be spent) and promises its credit at the payee, then
// the coordinator commits it and tells both legs to apply or release. Reservations
// make concurrent transfers safe without locks: `available` never goes negative, and
// an account with a leg in flight is neither closed nor passivated.
//
// A leg reserved by an actor on another node of the cluster is watched: if that actor
// goes down (its node died right after its commit, or before) or never tells the outcome
// within a deadline, the account asks the database through a leg claim, which settles
// the leg exactly (see leg_claim).
#include "actors/account.hpp"

#include "actors/fail_stop.hpp"
#include "domain/account_rules.hpp"
#include "domain/assert.hpp"
#include "domain/ids.hpp"
#include "domain/tenant_deposits.hpp"
#include "domain/validation.hpp"

#include <caf/all.hpp>

#include <chrono>
#include <optional>
#include <unordered_map>
#include <unordered_set>

namespace settle {
namespace {

struct pending_leg {
  leg_kind kind = leg_kind::debit;
  std::int64_t amount = 0;
  std::int64_t hold_amount = 0; // capture: the held money it releases
  std::string batch;
  // A world account's leg of a deposit or withdrawal: whose money enters or leaves.
  std::optional<tenant_name> depositor;
  caf::actor_addr remote_requester; // set when reserved for an actor on another node
  bool asking_database = false;     // its outcome is being asked of the database
};

// How long a leg reserved for another node may stay without an outcome before the
// account asks the database: far above the time a commit takes. (A leg abandoned too
// early is still exact: the late commit is refused.)
constexpr std::chrono::seconds remote_leg_deadline{15};

pending_leg reserved_leg(leg_kind kind, std::int64_t amount, std::int64_t hold_amount,
                         std::string batch) {
  pending_leg leg;
  leg.kind = kind;
  leg.amount = amount;
  leg.hold_amount = hold_amount;
  leg.batch = std::move(batch);
  return leg;
}

struct account_state {
  account_record record;
  persistence::shard_fence fence; // the lease this actor runs under
  account_balance money;
  std::unordered_map<std::string, pending_leg> pending;
  // Credits promised by transfers of a batch still in flight, by batch: later
  // transfers of the same batch may spend them, as they commit together.
  std::unordered_map<std::string, std::int64_t> batch_credits;
  ledger_writer_actor writer;
  std::shared_ptr<const response_renderer> renderer;
  std::int64_t pending_releases = 0; // held money being released or captured
  std::unordered_set<caf::actor_addr> watched_requesters; // monitored, on other nodes
  bool system = false; // a currency's world account: its balance may go negative
  tenant_deposits deposits; // a world account's: each tenant's net deposits
  static inline const char* name = "account";
};

using account_pointer = account_actor::stateful_pointer<account_state>;

// The record as the API shows it: committed balance and holds.
account_record current_record(const account_state& state) {
  account_record record = state.record;
  record.balance = state.money.balance;
  record.held = state.money.held;
  return record;
}

std::int64_t promised_in_batches(const account_state& state) {
  std::int64_t total = 0;
  for (const auto& [batch, amount] : state.batch_credits) {
    total += amount;
  }
  return total;
}

// available >= 0, counting the debits reserved against credits promised in a batch.
void assert_invariants(const account_state& state) {
  SETTLE_ASSERT(state.money.pending_debits >= 0 && state.money.pending_credits >= 0);
  if (state.system) {
    return;
  }
  auto available = reported_available(state.money);
  SETTLE_ASSERT(available.has_value());
  SETTLE_ASSERT(*available - state.money.pending_debits + promised_in_batches(state) >= 0);
}

std::int64_t usable_credits(const account_state& state, const std::string& batch) {
  if (batch.empty()) {
    return 0;
  }
  auto found = state.batch_credits.find(batch);
  return found == state.batch_credits.end() ? 0 : found->second;
}

// A debit or hold that the account's money refuses.
caf::error debit_refusal(settle_errc code) {
  if (code == settle_errc::insufficient_funds) {
    return make_settle_error(code, "the account's available funds do not cover the amount");
  }
  return make_settle_error(code, "the amount would overflow the account", "amount");
}

// Why a leg of `transfer` may not touch this account, or nothing.
std::optional<caf::error> refuse_leg(const account_state& state,
                                     const transfer_record& transfer, const char* param) {
  if (state.record.status == account_status::closed) {
    return make_settle_error(settle_errc::account_closed, "the account is closed", param);
  }
  if (!transfer.currency.empty() && state.record.currency != transfer.currency) {
    return make_settle_error(settle_errc::currency_mismatch,
                             "the account's currency differs from the transfer's", param);
  }
  return std::nullopt;
}

// Each reserve_* returns the leg's refusal, or no error once the leg is reserved.
caf::error reserve_debit(account_pointer self, const leg_request& leg) {
  auto& state = self->state;
  const auto& transfer = leg.transfer;
  if (!leg.who.may_see(state.record.tenant)) {
    return make_settle_error(settle_errc::not_found, "no such account", "from_account");
  }
  if (auto refusal = refuse_leg(state, transfer, "from_account")) {
    return std::move(*refusal);
  }
  auto refusal = state.system ? check_system_debit(state.money, transfer.amount)
                              : check_debit(state.money, transfer.amount,
                                            usable_credits(state, leg.batch));
  if (refusal) {
    return debit_refusal(*refusal);
  }
  bool deposit = state.system && transfer.kind == transfer_kind::deposit;
  if (deposit && state.deposits.reserve_entry(transfer.to_tenant, transfer.amount)) {
    return make_settle_error(settle_errc::amount_too_large,
                             "the tenant's net deposits in " + state.record.currency
                               + " would pass 10^16 minor units",
                             "amount");
  }
  state.money.pending_debits += transfer.amount;
  auto& reserved = state.pending[transfer.id.value] =
    reserved_leg(leg_kind::debit, transfer.amount, 0, leg.batch);
  if (deposit) {
    reserved.depositor = transfer.to_tenant;
  }
  assert_invariants(state);
  return {};
}

caf::error reserve_credit(account_pointer self, const leg_request& leg) {
  auto& state = self->state;
  const auto& transfer = leg.transfer;
  if (leg.owner_only && !leg.who.may_see(state.record.tenant)) {
    return make_settle_error(settle_errc::not_found, "no such account", "to_account");
  }
  if (auto refusal = refuse_leg(state, transfer, "to_account")) {
    return std::move(*refusal);
  }
  if (check_credit(state.money, transfer.amount)) {
    return make_settle_error(settle_errc::amount_too_large,
                             "the amount would overflow the receiving account", "amount");
  }
  state.money.pending_credits += transfer.amount;
  auto& reserved = state.pending[transfer.id.value] =
    reserved_leg(leg_kind::credit, transfer.amount, 0, leg.batch);
  if (state.system && transfer.kind == transfer_kind::withdrawal) {
    reserved.depositor = transfer.from_tenant;
  }
  if (!leg.batch.empty()) {
    state.batch_credits[leg.batch] += transfer.amount;
  }
  return {};
}

void release_batch_credit(account_state& state, const pending_leg& leg) {
  if (leg.batch.empty()) {
    return;
  }
  auto found = state.batch_credits.find(leg.batch);
  SETTLE_ASSERT(found != state.batch_credits.end() && found->second >= leg.amount);
  found->second -= leg.amount;
  if (found->second == 0) {
    state.batch_credits.erase(found);
  }
}

// A world account's leg of a deposit (its debit) or a withdrawal (its credit).
void count_tenant_deposits(account_state& state, const pending_leg& leg, bool committed) {
  if (leg.kind == leg_kind::debit) {
    state.deposits.settle_entry(*leg.depositor, leg.amount, committed);
  } else if (committed) {
    state.deposits.record_exit(*leg.depositor, leg.amount);
  }
}

// Applies a committed leg to the state, or only forgets its reservation.
void apply_leg(account_state& state, const pending_leg& leg, bool committed) {
  if (leg.depositor) {
    count_tenant_deposits(state, leg, committed);
  }
  auto& money = state.money;
  switch (leg.kind) {
    case leg_kind::debit:
      money.pending_debits -= leg.amount;
      money.balance -= committed ? leg.amount : 0;
      break;
    case leg_kind::credit:
      money.pending_credits -= leg.amount;
      money.balance += committed ? leg.amount : 0;
      release_batch_credit(state, leg);
      break;
    case leg_kind::hold:
      money.pending_debits -= leg.amount;
      money.held += committed ? leg.amount : 0;
      break;
    case leg_kind::release:
      state.pending_releases -= leg.amount;
      money.held -= committed ? leg.amount : 0;
      break;
    case leg_kind::capture:
      state.pending_releases -= leg.hold_amount;
      money.held -= committed ? leg.hold_amount : 0;
      money.balance -= committed ? leg.amount : 0;
      break;
  }
}

void settle_leg(account_pointer self, const std::string& transfer, bool committed) {
  auto& state = self->state;
  auto found = state.pending.find(transfer);
  if (found == state.pending.end()) {
    return; // released already, or never reserved (a timed-out reservation)
  }
  auto leg = found->second;
  state.pending.erase(found);
  apply_leg(state, leg, committed);
  SETTLE_ASSERT(state.money.held >= 0 && state.pending_releases >= 0);
  assert_invariants(state);
}

// Holds, releases and captures, for orders. A hold is reserved against `available`
// like a debit; a release or capture may only take money that is held and not
// already being released.
caf::error reserve_hold(account_pointer self, const leg_request& leg) {
  auto& state = self->state;
  const auto& operation = leg.transfer;
  if (!leg.who.may_see(state.record.tenant)) {
    return make_settle_error(settle_errc::not_found, "no such account", "payer_account");
  }
  std::int64_t releasing = leg.kind == leg_kind::release   ? operation.amount
                           : leg.kind == leg_kind::capture ? leg.hold_amount
                                                           : 0;
  if (releasing > 0) { // checked by refuse_malformed
    state.pending_releases += releasing;
    state.pending[operation.id.value] =
      reserved_leg(leg.kind, operation.amount, leg.hold_amount, {});
    return {};
  }
  if (auto refusal = refuse_leg(state, operation, "payer_account")) {
    return std::move(*refusal);
  }
  if (auto refusal = check_debit(state.money, operation.amount)) {
    return debit_refusal(*refusal);
  }
  state.money.pending_debits += operation.amount;
  state.pending[operation.id.value] = reserved_leg(leg_kind::hold, operation.amount, 0, {});
  assert_invariants(state);
  return {};
}

caf::result<account_record> close(account_pointer self, const requester& who) {
  auto& state = self->state;
  if (!who.may_see(state.record.tenant)) {
    return make_settle_error(settle_errc::not_found, "no such account");
  }
  if (state.system) {
    return make_settle_error(settle_errc::invalid_state, "a system account cannot be closed");
  }
  if (state.record.status == account_status::closed) {
    return current_record(state);
  }
  if (!is_empty(state.money) || !state.pending.empty()) {
    return make_settle_error(settle_errc::account_not_empty,
                             "an account can be closed only when its balance and holds are 0");
  }
  persistence::write_set writes;
  writes.deadline = who.deadline;
  writes.fences.push_back(state.fence);
  writes.accounts_closed.push_back({state.record.id});
  auto closed = current_record(state);
  closed.status = account_status::closed;
  writes.events.push_back(persistence::make_event("account.updated", {closed.tenant.value},
                                                  {closed.id.value},
                                                  state.renderer->account(closed)));
  // Awaited: no leg is reserved while the account closes, and no retirement or exit
  // drops the requester's promise (CAF 0.17 would not answer it).
  auto promise = self->make_response_promise<account_record>();
  self->request(state.writer, caf::infinite, commit_atom::value, std::move(writes))
    .await(
      [self, promise](bool) mutable {
        self->state.record.status = account_status::closed;
        promise.deliver(current_record(self->state));
      },
      [promise](caf::error& error) mutable { promise.deliver(std::move(error)); });
  return promise;
}

// A leg reserved for an actor on another node: the actor is monitored and the leg gets
// a deadline, so that the leg is settled even if the outcome never comes.
void watch_if_remote(account_pointer self, const std::string& leg_id) {
  const auto& sender = self->current_sender();
  auto found = self->state.pending.find(leg_id);
  if (sender == nullptr || sender->node() == self->node() || found == self->state.pending.end()) {
    return;
  }
  found->second.remote_requester = sender->address();
  if (self->state.watched_requesters.insert(sender->address()).second) {
    self->monitor(caf::actor_cast<caf::actor>(sender));
  }
  self->delayed_send(self, remote_leg_deadline, leg_due_atom::value, leg_id);
}

// The leg's node did not tell its outcome in time: the database decides, and the leg is
// applied if it committed, released if it now never can.
void settle_overdue_leg(account_pointer self, const std::string& leg_id) {
  auto found = self->state.pending.find(leg_id);
  if (found == self->state.pending.end() || found->second.asking_database) {
    return;
  }
  found->second.asking_database = true;
  persistence::leg_claim claim{leg_id, self->state.record.id};
  self->request(self->state.writer, caf::infinite, abandon_atom::value, claim)
    .then([self, leg_id](bool abandoned) { settle_leg(self, leg_id, !abandoned); },
          [self, leg_id](caf::error&) {
            auto found = self->state.pending.find(leg_id);
            if (found != self->state.pending.end()) {
              found->second.asking_database = false;
              self->delayed_send(self, std::chrono::seconds{1}, leg_due_atom::value, leg_id);
            }
          });
}

// The requester of some legs went down, e.g. with its node: settle them now.
void requester_down(account_pointer self, const caf::down_msg& down) {
  auto& state = self->state;
  state.watched_requesters.erase(down.source);
  std::vector<std::string> orphaned;
  for (const auto& [leg_id, leg] : state.pending) {
    if (leg.remote_requester == down.source) {
      orphaned.push_back(leg_id);
    }
  }
  for (const auto& leg_id : orphaned) {
    settle_overdue_leg(self, leg_id);
  }
}

// What a leg must be before the account weighs it. A leg may come from another node, so
// it is checked as a client's request is (the account never counts on its sender having
// done so): an id not already reserved here, and amounts in the contract's range; a
// release or capture takes at most what is held and not already being released.
std::optional<failure> refuse_malformed(const account_state& state, const leg_request& leg) {
  const auto& operation = leg.transfer;
  if (operation.id.empty() || operation.id.value.size() > maximum_id_length) {
    return make_failure(settle_errc::invalid_parameter, "a leg needs an id of 1 to 64 characters");
  }
  if (state.pending.count(operation.id.value) != 0) {
    return make_failure(settle_errc::invalid_state, "this leg is already reserved here");
  }
  if (auto invalid = validate_amount(operation.amount)) {
    return invalid;
  }
  if (leg.kind != leg_kind::capture && leg.kind != leg_kind::release) {
    return std::nullopt;
  }
  auto releasing = leg.kind == leg_kind::release ? operation.amount : leg.hold_amount;
  if (leg.kind == leg_kind::capture
      && (validate_amount(leg.hold_amount) || operation.amount > leg.hold_amount)) {
    return make_failure(settle_errc::invalid_parameter,
                        "a capture takes 1 up to the amount held", "amount");
  }
  if (state.money.held - state.pending_releases < releasing) {
    return make_failure(settle_errc::invalid_state, "less money is held than this leg releases");
  }
  return std::nullopt;
}

template <class Reserve>
caf::error reserve_leg(account_pointer self, const leg_request& leg, Reserve reserve) {
  if (auto malformed = refuse_malformed(self->state, leg)) {
    return make_settle_error(*malformed);
  }
  auto refusal = reserve(self, leg);
  watch_if_remote(self, leg.transfer.id.value);
  return refusal;
}

// One leg asked on its own: answered with the account, or with the leg's refusal.
caf::result<account_record> answer_leg(account_pointer self, caf::error refusal) {
  if (refusal) {
    return refusal;
  }
  return current_record(self->state);
}

// The legs of a batch at this account, in one message, reserved in their order: each
// is weighed as if it came alone (debits and credits only; holds come from orders).
leg_group_answer reserve_group(account_pointer self, const std::vector<leg_request>& legs) {
  leg_group_answer answer;
  answer.refusals.reserve(legs.size());
  for (const auto& leg : legs) {
    switch (leg.kind) {
      case leg_kind::debit:
        answer.refusals.push_back(reserve_leg(self, leg, reserve_debit));
        break;
      case leg_kind::credit:
        answer.refusals.push_back(reserve_leg(self, leg, reserve_credit));
        break;
      default:
        answer.refusals.push_back(make_settle_error(
          settle_errc::invalid_parameter, "a group of legs holds debits and credits only"));
        break;
    }
  }
  answer.account = current_record(self->state);
  return answer;
}

account_actor::behavior_type account(account_pointer self, account_snapshot snapshot,
                                     ledger_writer_actor writer,
                                     std::shared_ptr<const response_renderer> renderer,
                                     persistence::shard_fence fence) {
  stop_process_on_exception(self, "account");
  auto& state = self->state;
  state.fence = fence;
  self->set_down_handler([self](caf::down_msg& down) { requester_down(self, down); });
  auto& record = snapshot.record;
  state.money = account_balance{record.balance, record.held, record.overdraft_limit, 0, 0};
  state.system = record.tenant == system_tenant;
  state.deposits = tenant_deposits{snapshot.net_deposits};
  state.record = std::move(record);
  state.writer = std::move(writer);
  state.renderer = std::move(renderer);
  return {
    [self](caf::get_atom, const requester& who) -> caf::result<account_record> {
      if (!who.may_see(self->state.record.tenant)) {
        return make_settle_error(settle_errc::not_found, "no such account");
      }
      return current_record(self->state);
    },
    [self](debit_atom, const leg_request& leg) {
      return answer_leg(self, reserve_leg(self, leg, reserve_debit));
    },
    [self](credit_atom, const leg_request& leg) {
      return answer_leg(self, reserve_leg(self, leg, reserve_credit));
    },
    [self](hold_atom, const leg_request& leg) {
      return answer_leg(self, reserve_leg(self, leg, reserve_hold));
    },
    [self](reserve_legs_atom, const std::vector<leg_request>& legs) {
      return reserve_group(self, legs);
    },
    [self](leg_due_atom, const std::string& leg_id) { settle_overdue_leg(self, leg_id); },
    [self](describe_atom) { return current_record(self->state); },
    [self](settle_legs_atom, const std::vector<std::string>& legs, bool committed) {
      for (const auto& leg : legs) {
        settle_leg(self, leg, committed);
      }
    },
    [self](close_atom, const requester& who) { return close(self, who); },
    [self](passivate_atom) {
      // Only an account with nothing in flight may stop: its state is then exactly
      // what is stored, so the next activation loads the same state.
      if (self->state.pending.empty()) {
        self->quit();
      }
    },
    // This node lost the account's shard: its reservations can no longer commit.
    [self](retire_atom) { self->quit(); },
  };
}

} // namespace

account_actor spawn_account(caf::actor_system& system, account_snapshot snapshot,
                            ledger_writer_actor writer,
                            std::shared_ptr<const response_renderer> renderer,
                            persistence::shard_fence fence) {
  return system.spawn(account, std::move(snapshot), std::move(writer), std::move(renderer), fence);
}

} // namespace settle
