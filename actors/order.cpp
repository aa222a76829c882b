// The order actor drives one payment intent through its states (domain/order.hpp). Each
// action reserves the legs it needs at the accounts (a hold, its release, a capture paid
// by the hold, a refund's debit and credit), commits the order's new state with the
// money it moves in one write set, and only then applies the legs and answers. It awaits
// every step, so actions on one order never interleave: of a concurrent capture and
// cancel exactly one wins. An authorized order keeps a timer for its expiry and does not
// passivate; after a restart the node spawns every authorized order, which re-arms it.
#include "actors/order.hpp"

#include "actors/change_events.hpp"
#include "actors/entity_request.hpp"
#include "actors/fail_stop.hpp"
#include "domain/clock.hpp"
#include "domain/currency.hpp"
#include "domain/ids.hpp"

#include <caf/all.hpp>

#include <chrono>
#include <functional>
#include <optional>

namespace settle {
namespace {

// A leg reserved for the action in progress, to apply or release when it ends.
struct reserved_leg {
  account_actor account;
  transfer_id operation; // a transfer, or a hold (hld_) kept in a transfer record's id
  settle::account_id account_id;
  persistence::shard_fence fence; // the lease the account's actor reserved under
};

struct order_state {
  order_record record;
  order_dependencies dependencies;
  persistence::shard_fence fence; // the lease this actor runs under
  static inline const char* name = "order";
};

using order_pointer = order_actor::stateful_pointer<order_state>;

// Where an action's answer goes: the requester's promise, or nowhere (an expiry, which
// the actor's own timer starts, has no one to answer).
class outcome_promise {
public:
  outcome_promise() = default;
  explicit outcome_promise(caf::typed_response_promise<order_outcome> promise)
    : promise_(std::move(promise)) {}

  void deliver(order_outcome outcome) {
    if (promise_) {
      promise_->deliver(std::move(outcome));
    }
  }

  void deliver(caf::error error) {
    if (promise_) {
      promise_->deliver(std::move(error));
    }
  }

private:
  std::optional<caf::typed_response_promise<order_outcome>> promise_;
};

// The system itself acts on accounts an order already proved it may use.
const requester system_requester{system_tenant, true, {}};

void settle_legs(order_pointer self, const std::vector<reserved_leg>& legs, bool committed) {
  for (const auto& leg : legs) {
    self->anon_send(leg.account, settle_legs_atom::value,
                    std::vector<std::string>{leg.operation.value}, committed);
  }
}

void arm_expiry(order_pointer self) {
  const auto& order = self->state.record;
  if (order.status != order_status::authorized) {
    return;
  }
  auto delay = std::max<std::int64_t>(order.expires_at - now_milliseconds(), 0);
  self->delayed_send(self, std::chrono::milliseconds{delay}, expire_atom::value);
}

// The end of an action: commits the new state with `writes`, stores the answer when
// the request has an Idempotency-Key, applies the legs, answers.
struct action_end {
  order_record updated;
  persistence::write_set writes;
  std::vector<reserved_leg> legs;
  unsigned status = 200;
  std::string body; // empty: the updated order
};

void finish(order_pointer self, const order_request& request, action_end end,
            outcome_promise promise) {
  const auto& renderer = *self->state.dependencies.renderer;
  end.updated.updated_at = now_milliseconds();
  if (end.body.empty()) {
    end.body = renderer.order(end.updated);
  }
  end.writes.orders_updated.push_back(end.updated);
  end.writes.events.push_back(order_event(renderer, end.updated));
  for (const auto& transfer : end.writes.transfers) {
    end.writes.events.push_back(transfer_settled_event(transfer, renderer.transfer(transfer)));
  }
  if (request.has_claim) {
    end.writes.idempotency_records.push_back(persistence::idempotency_record{
      request.who.tenant, request.idempotency_key, request.fingerprint, end.status, end.body,
      now_milliseconds()});
  }
  end.writes.deadline = request.who.deadline;
  end.writes.fences.push_back(self->state.fence);
  for (const auto& leg : end.legs) {
    guard_leg(self, end.writes, leg.account, leg.fence, leg.operation.value, leg.account_id);
  }
  order_outcome outcome{end.status, end.body, request.has_claim};
  self->request(self->state.dependencies.writer, caf::infinite, commit_atom::value,
                std::move(end.writes))
    .await(
      [self, promise, outcome, updated = end.updated, legs = end.legs](bool) mutable {
        settle_legs(self, legs, true);
        self->state.record = updated;
        arm_expiry(self);
        promise.deliver(outcome);
      },
      [self, promise, legs = end.legs](caf::error& error) mutable {
        settle_legs(self, legs, false);
        promise.deliver(std::move(error));
      });
}

using leg_accepted = std::function<void(const account_actor&, const account_record&,
                                        const persistence::shard_fence&)>;
using leg_refused = std::function<void(const failure&)>;

// Reserves one leg at an account and waits for the answer.
template <class Atom>
void reserve(order_pointer self, const account_id& account, leg_request leg,
             leg_accepted on_accept, leg_refused on_refuse) {
  ask_entity<account_record, reply_order::await>(self, self->state.dependencies.accounts, account,
                                                 on_accept, on_refuse, 0, Atom::value,
                                                 std::move(leg));
}

transfer_record movement(const order_record& order, transfer_kind kind, std::int64_t amount) {
  transfer_record transfer;
  transfer.id = transfer_id{generate_id("trf_")};
  transfer.kind = kind;
  bool refund = kind == transfer_kind::refund;
  transfer.from_account = refund ? order.payee_account : order.payer_account;
  transfer.to_account = refund ? order.payer_account : order.payee_account;
  transfer.order_id = order.id;
  transfer.amount = amount;
  transfer.currency = order.currency;
  transfer.description = order.description;
  transfer.created_at = now_milliseconds();
  transfer.settled_at = transfer.created_at;
  return transfer;
}

// A hold or its release: an operation on held money that moves nothing between accounts.
transfer_record hold_operation(const order_record& order, std::int64_t amount) {
  transfer_record operation;
  operation.id = transfer_id{generate_id("hld_")};
  operation.amount = amount;
  operation.currency = order.currency;
  return operation;
}

// Reserves both legs of `transfer` (the debit with `debit_kind` at `from`), then runs
// `on_both`; a refusal releases what was reserved and runs `on_refuse`.
void reserve_movement(order_pointer self, transfer_record transfer, leg_request debit,
                      std::function<void(transfer_record, std::vector<reserved_leg>)> on_both,
                      leg_refused on_refuse) {
  auto from = transfer.from_account;
  auto debit_atom_kind = debit.kind == leg_kind::debit;
  auto after_debit = [self, transfer, on_both, on_refuse](
                       const account_actor& payer, const account_record& account,
                       const persistence::shard_fence& payer_fence) mutable {
    transfer.from_tenant = account.tenant;
    std::vector<reserved_leg> legs{{payer, transfer.id, transfer.from_account, payer_fence}};
    auto after_credit = [transfer, legs, on_both](
                          const account_actor& payee, const account_record& account,
                          const persistence::shard_fence& payee_fence) mutable {
      transfer.to_tenant = account.tenant;
      legs.push_back({payee, transfer.id, transfer.to_account, payee_fence});
      on_both(transfer, legs);
    };
    auto credit_refused = [self, legs, on_refuse](const failure& reason) {
      settle_legs(self, legs, false);
      on_refuse(reason);
    };
    auto to = transfer.to_account;
    reserve<credit_atom>(self, to, leg_request{transfer, system_requester, false, {}},
                         after_credit, credit_refused);
  };
  if (debit_atom_kind) {
    reserve<debit_atom>(self, from, std::move(debit), after_debit, on_refuse);
  } else {
    reserve<hold_atom>(self, from, std::move(debit), after_debit, on_refuse);
  }
}

// A confirmation that could not reserve the money leaves the order failed, with the
// reason as its failure_code; the answer is the error.
void fail_confirmation(order_pointer self, const order_request& request, const failure& reason,
                       outcome_promise promise) {
  const auto& renderer = *self->state.dependencies.renderer;
  if (reason.code == settle_errc::unavailable) {
    promise.deliver(make_settle_error(reason));
    return;
  }
  action_end end;
  end.updated = self->state.record;
  end.updated.status = order_status::failed;
  end.updated.failure_code = renderer.code_of(reason.code);
  end.status = renderer.status_of(reason.code);
  end.body = renderer.error(reason);
  finish(self, request, std::move(end), promise);
}

void confirm(order_pointer self, const order_request& request, outcome_promise promise) {
  const auto& order = self->state.record;
  auto refused = [self, request, promise](const failure& reason) {
    fail_confirmation(self, request, reason, promise);
  };
  if (order.capture == capture_method::automatic) {
    auto transfer = movement(order, transfer_kind::capture, order.amount);
    leg_request debit{transfer, request.who, false, {}};
    reserve_movement(
      self, transfer, debit,
      [self, request, promise](transfer_record transfer, std::vector<reserved_leg> legs) {
        action_end end;
        end.updated = self->state.record;
        end.updated.status = order_status::settled;
        end.updated.amount_authorized = transfer.amount;
        end.updated.amount_captured = transfer.amount;
        end.updated.failure_code.clear();
        end.writes.transfers.push_back(std::move(transfer));
        end.legs = std::move(legs);
        finish(self, request, std::move(end), promise);
      },
      refused);
    return;
  }
  auto hold = hold_operation(order, order.amount);
  leg_request leg{hold, request.who, false, {}, leg_kind::hold, 0};
  reserve<hold_atom>(
    self, order.payer_account, leg,
    [self, request, promise, hold](const account_actor& payer, const account_record&,
                                   const persistence::shard_fence& fence) {
      action_end end;
      end.updated = self->state.record;
      end.updated.status = order_status::authorized;
      end.updated.amount_authorized = hold.amount;
      end.updated.failure_code.clear();
      end.updated.expires_at = now_milliseconds() + end.updated.authorization_ttl_seconds * 1000;
      end.writes.held_changes.push_back({end.updated.payer_account, hold.amount});
      end.legs.push_back({payer, hold.id, end.updated.payer_account, fence});
      finish(self, request, std::move(end), promise);
    },
    refused);
}

void capture(order_pointer self, const order_request& request, outcome_promise promise) {
  const auto& order = self->state.record;
  auto amount = request.has_amount ? request.amount : order.amount_authorized;
  if (amount > order.amount_authorized) {
    promise.deliver(make_settle_error(settle_errc::invalid_parameter,
                                      "amount exceeds the authorized amount", "amount"));
    return;
  }
  auto transfer = movement(order, transfer_kind::capture, amount);
  leg_request debit{transfer, system_requester, false, {}, leg_kind::capture,
                    order.amount_authorized};
  reserve_movement(
    self, transfer, debit,
    [self, request, promise](transfer_record transfer, std::vector<reserved_leg> legs) {
      action_end end;
      end.updated = self->state.record;
      end.updated.status = order_status::settled;
      end.updated.amount_captured = transfer.amount;
      end.writes.held_changes.push_back(
        {end.updated.payer_account, -end.updated.amount_authorized});
      end.writes.transfers.push_back(std::move(transfer));
      end.legs = std::move(legs);
      finish(self, request, std::move(end), promise);
    },
    [promise](const failure& reason) mutable { promise.deliver(make_settle_error(reason)); });
}

// Cancel and expiry: the hold, if any, is released.
void release(order_pointer self, const order_request& request, order_status outcome,
             outcome_promise promise) {
  const auto& order = self->state.record;
  action_end end;
  end.updated = order;
  end.updated.status = outcome;
  if (order.status != order_status::authorized) {
    finish(self, request, std::move(end), promise);
    return;
  }
  auto hold_release = hold_operation(order, order.amount_authorized);
  leg_request leg{hold_release, system_requester, false, {}, leg_kind::release, 0};
  reserve<hold_atom>(
    self, order.payer_account, leg,
    [self, request, promise, end, hold_release](const account_actor& payer,
                                                const account_record&,
                                                const persistence::shard_fence& fence) mutable {
      end.writes.held_changes.push_back({end.updated.payer_account, -hold_release.amount});
      end.legs.push_back({payer, hold_release.id, end.updated.payer_account, fence});
      finish(self, request, std::move(end), promise);
    },
    [promise](const failure& reason) mutable { promise.deliver(make_settle_error(reason)); });
}

void refund(order_pointer self, const order_request& request, outcome_promise promise) {
  const auto& order = self->state.record;
  auto remaining = order.amount_captured - order.amount_refunded;
  auto amount = request.has_amount ? request.amount : remaining;
  if (amount > remaining || amount < 1) {
    promise.deliver(make_settle_error(settle_errc::invalid_parameter,
                                      "amount exceeds what is left to refund", "amount"));
    return;
  }
  auto transfer = movement(order, transfer_kind::refund, amount);
  leg_request debit{transfer, system_requester, false, {}};
  reserve_movement(
    self, transfer, debit,
    [self, request, promise](transfer_record transfer, std::vector<reserved_leg> legs) {
      action_end end;
      end.updated = self->state.record;
      end.updated.amount_refunded += transfer.amount;
      end.updated.status = status_after(end.updated, order_action::refund,
                                        end.updated.amount_refunded == end.updated.amount_captured);
      end.writes.transfers.push_back(std::move(transfer));
      end.legs = std::move(legs);
      finish(self, request, std::move(end), promise);
    },
    [promise](const failure& reason) mutable { promise.deliver(make_settle_error(reason)); });
}

// Who may see an order: the payer's tenant and the payee's.
bool may_see(const requester& who, const order_record& order) {
  return who.may_see(order.tenant) || who.may_see(order.payee_tenant);
}

// Who may take an action: the payee's tenant refunds, the payer's tenant does the rest.
std::optional<failure> refusal_of(const requester& who, const order_record& order,
                                  order_action action) {
  if (!may_see(who, order)) {
    return make_failure(settle_errc::not_found, "no such order");
  }
  if (action == order_action::refund && !who.may_see(order.payee_tenant)) {
    return make_failure(settle_errc::forbidden, "only the payee's tenant may refund an order");
  }
  if (action != order_action::refund && !who.may_see(order.tenant)) {
    return make_failure(settle_errc::forbidden, "only the payer's tenant may act on an order");
  }
  return std::nullopt;
}

caf::result<order_outcome> act(order_pointer self, const order_request& request) {
  const auto& order = self->state.record;
  if (auto refusal = refusal_of(request.who, order, request.action)) {
    return make_settle_error(*refusal);
  }
  if (!is_allowed(order.status, request.action)) {
    return make_settle_error(settle_errc::invalid_state,
                             std::string{"the order is "} + to_string(order.status));
  }
  auto response = self->make_response_promise<order_outcome>();
  outcome_promise promise{response};
  switch (request.action) {
    case order_action::confirm:
      confirm(self, request, promise);
      break;
    case order_action::capture:
      capture(self, request, promise);
      break;
    case order_action::cancel:
      release(self, request, order_status::cancelled, promise);
      break;
    case order_action::expire:
      release(self, request, order_status::expired, promise);
      break;
    case order_action::refund:
      refund(self, request, promise);
      break;
  }
  return response;
}

// The timer fired: expire the order if it is still authorized and its time has come.
void expire(order_pointer self) {
  const auto& order = self->state.record;
  if (order.status != order_status::authorized) {
    return;
  }
  if (order.expires_at > now_milliseconds()) {
    arm_expiry(self);
    return;
  }
  order_request request;
  request.action = order_action::expire;
  request.who = system_requester;
  release(self, request, order_status::expired, outcome_promise{});
  // A failed expiry (an account unreachable) is tried again a second later.
  self->delayed_send(self, std::chrono::seconds{1}, expire_atom::value);
}

caf::result<order_record> update_description(order_pointer self, const requester& who,
                                             const std::string& description) {
  if (!may_see(who, self->state.record)) {
    return make_settle_error(settle_errc::not_found, "no such order");
  }
  if (!who.may_see(self->state.record.tenant)) {
    return make_settle_error(settle_errc::forbidden, "only the payer's tenant may change an order");
  }
  auto updated = self->state.record;
  updated.description = description;
  updated.updated_at = now_milliseconds();
  persistence::write_set writes;
  writes.deadline = who.deadline;
  writes.fences.push_back(self->state.fence);
  writes.orders_updated.push_back(updated);
  auto promise = self->make_response_promise<order_record>();
  self->request(self->state.dependencies.writer, caf::infinite, commit_atom::value,
                std::move(writes))
    .await(
      [self, promise, updated](bool) mutable {
        self->state.record = updated;
        promise.deliver(updated);
      },
      [promise](caf::error& error) mutable { promise.deliver(std::move(error)); });
  return promise;
}

order_actor::behavior_type order(order_pointer self, order_record record,
                                 order_dependencies dependencies, persistence::shard_fence fence) {
  stop_process_on_exception(self, "order");
  self->state.record = std::move(record);
  self->state.dependencies = std::move(dependencies);
  self->state.fence = fence;
  arm_expiry(self);
  return {
    [self](caf::get_atom, const requester& who) -> caf::result<order_record> {
      if (!may_see(who, self->state.record)) {
        return make_settle_error(settle_errc::not_found, "no such order");
      }
      return self->state.record;
    },
    [self](act_atom, const order_request& request) { return act(self, request); },
    [self](update_atom, const requester& who, const std::string& description) {
      return update_description(self, who, description);
    },
    [self](expire_atom) { expire(self); },
    [self](passivate_atom) {
      // An authorized order holds money and must keep its expiry timer running.
      if (self->state.record.status != order_status::authorized) {
        self->quit();
      }
    },
    // This node lost the order's shard: another node rebuilds the order (and its expiry).
    [self](retire_atom) { self->quit(); },
  };
}

} // namespace

order_actor spawn_order(caf::actor_system& system, order_record record,
                        const order_dependencies& dependencies, persistence::shard_fence fence) {
  return system.spawn(order, std::move(record), dependencies, fence);
}

} // namespace settle
