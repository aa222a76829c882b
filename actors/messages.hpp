// The actors' message vocabulary on one screen: atoms, the requester that every
// command carries, inspect() for every record that crosses an actor boundary (so the
// cluster can serialize them), and the translation between settle_errc and caf::error.
#pragma once

#include "domain/errc.hpp"
#include "domain/order.hpp"
#include "domain/records.hpp"
#include "domain/webhook_endpoint.hpp"
#include "persistence/store_reader.hpp"
#include "persistence/write_set.hpp"

#include <caf/atom.hpp>
#include <caf/error.hpp>
#include <caf/meta/type_name.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace settle {

// -- atoms (at most 10 characters each) ---------------------------------------

using lookup_atom = caf::atom_constant<caf::atom("lookup")>;
using sweep_atom = caf::atom_constant<caf::atom("sweep")>;
using passivate_atom = caf::atom_constant<caf::atom("passivate")>;
using debit_atom = caf::atom_constant<caf::atom("debit")>;
using credit_atom = caf::atom_constant<caf::atom("credit")>;
using reserve_legs_atom = caf::atom_constant<caf::atom("legs")>;
using settle_legs_atom = caf::atom_constant<caf::atom("settle_all")>;
using close_atom = caf::atom_constant<caf::atom("close")>;
using update_atom = caf::atom_constant<caf::atom("update")>;
using delete_atom = caf::atom_constant<caf::atom("delete")>;
using open_atom = caf::atom_constant<caf::atom("open")>;
using commit_atom = caf::atom_constant<caf::atom("commit")>;
using flush_atom = caf::atom_constant<caf::atom("flush")>;
using conclude_atom = caf::atom_constant<caf::atom("conclude")>;
using load_atom = caf::atom_constant<caf::atom("load")>;
using count_atom = caf::atom_constant<caf::atom("count")>;
using list_atom = caf::atom_constant<caf::atom("list")>;
using audit_atom = caf::atom_constant<caf::atom("audit")>;
using claim_atom = caf::atom_constant<caf::atom("claim")>;
using release_atom = caf::atom_constant<caf::atom("release")>;
using execute_atom = caf::atom_constant<caf::atom("execute")>;
using user_tag_atom = caf::atom_constant<caf::atom("user")>;
using account_tag_atom = caf::atom_constant<caf::atom("account")>;
using transfer_tag_atom = caf::atom_constant<caf::atom("transfer")>;
using entry_tag_atom = caf::atom_constant<caf::atom("entry")>;
using idempotency_tag_atom = caf::atom_constant<caf::atom("idempotent")>;
using order_tag_atom = caf::atom_constant<caf::atom("order")>;
using hold_atom = caf::atom_constant<caf::atom("hold")>;
using act_atom = caf::atom_constant<caf::atom("act")>;
using expire_atom = caf::atom_constant<caf::atom("expire")>;
using describe_atom = caf::atom_constant<caf::atom("describe")>;
using event_tag_atom = caf::atom_constant<caf::atom("event")>;
using publish_atom = caf::atom_constant<caf::atom("publish")>;
using subscribe_atom = caf::atom_constant<caf::atom("subscribe")>;
using unsubscr_atom = caf::atom_constant<caf::atom("unsubscr")>;
using replay_atom = caf::atom_constant<caf::atom("replay")>;
using locate_atom = caf::atom_constant<caf::atom("locate")>;
using retire_atom = caf::atom_constant<caf::atom("retire")>;
using rebalance_atom = caf::atom_constant<caf::atom("rebalance")>;
using abandon_atom = caf::atom_constant<caf::atom("abandon")>;
using leg_due_atom = caf::atom_constant<caf::atom("leg_due")>;
using regions_atom = caf::atom_constant<caf::atom("regions")>;
using tick_atom = caf::atom_constant<caf::atom("tick")>;
using leave_atom = caf::atom_constant<caf::atom("leave")>;
using poll_atom = caf::atom_constant<caf::atom("poll")>;
using webhook_tag_atom = caf::atom_constant<caf::atom("webhook")>;
using delivery_tag_atom = caf::atom_constant<caf::atom("delivery")>;
using retry_atom = caf::atom_constant<caf::atom("retry")>;
using check_atom = caf::atom_constant<caf::atom("check")>;
using checked_atom = caf::atom_constant<caf::atom("checked")>;
using delivered_atom = caf::atom_constant<caf::atom("delivered")>;
using resend_atom = caf::atom_constant<caf::atom("resend")>;
using watch_atom = caf::atom_constant<caf::atom("watch")>;

// Who asks: every command is checked against the requester's tenant. The deadline goes
// with it into every write set made for the request (see request_deadline).
struct requester {
  tenant_name tenant;
  bool admin = false;
  request_deadline deadline;

  bool may_see(const tenant_name& owner) const { return admin || owner == tenant; }
};

// What a reserved leg does to its account once committed.
enum class leg_kind : std::uint8_t {
  debit,   // balance -= amount; reserved against available
  credit,  // balance += amount
  hold,    // held += amount; reserved against available
  release, // held -= amount
  capture, // balance -= amount and held -= hold_amount (the hold pays for it)
};

// One leg of a transfer, asked of the account it touches. `owner_only`: the requester
// must own the account even to pay into it (a deposit). `batch`: credits promised to
// this account by earlier transfers of the same batch may be spent by later ones.
struct leg_request {
  transfer_record transfer; // for holds: id, amount and currency of the operation
  requester who;
  bool owner_only = false;
  std::string batch;
  leg_kind kind = leg_kind::debit;
  std::int64_t hold_amount = 0; // capture: the hold it releases
};

// The answer to the legs a batch asks of one account in one message: the account after
// them (its tenant and currency name the transfers' sides), and one refusal per leg in
// the order asked, no error where the leg was reserved.
struct leg_group_answer {
  account_record account;
  std::vector<caf::error> refusals;
};

// An action on an order, with what the gateway knows of the request: who asks, the
// amount if one was given, and the Idempotency-Key to store the answer under.
struct order_request {
  order_action action = order_action::confirm;
  requester who;
  bool has_amount = false;
  std::int64_t amount = 0;
  std::string description; // PUT: the new description
  bool has_claim = false;
  std::string idempotency_key;
  std::string fingerprint;
};

// The answer to an order action, rendered by the order actor because it may have been
// stored with the action's effect (`stored`).
struct order_outcome {
  std::int64_t status = 200;
  std::string body;
  bool stored = false;
};

// A user's changes: only the fields given are replaced.
struct user_changes {
  bool has_name = false;
  std::string name;
  bool has_email = false;
  std::string email;
};

// A webhook endpoint's changes (PUT): only the fields given are replaced.
struct webhook_changes {
  bool has_url = false;
  std::string url;
  bool has_events = false;
  std::vector<std::string> events;
  bool has_description = false;
  std::string description;
  bool has_status = false;
  webhook_status status = webhook_status::enabled;
};

// -- errors ---------------------------------------------------------------------

// The category under which settle_errc travels inside caf::error.
inline constexpr caf::atom_value settle_error_category = caf::atom("settle");

// A caf::error carrying a domain failure; its context holds the message and param.
caf::error make_settle_error(settle_errc code, std::string message, std::string param = {});
caf::error make_settle_error(const failure& reason);

// The domain failure inside `error`; CAF's own errors (timeouts, a receiver that
// went down) become `unavailable`, anything else `internal_error`.
failure to_failure(const caf::error& error);

// -- inspect ------------------------------------------------------------------------

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, requester& x) {
  // The commit gate is shared memory of the serving node: only the instant travels.
  return f(caf::meta::type_name("requester"), x.tenant, x.admin, x.deadline.not_after);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, leg_request& x) {
  return f(caf::meta::type_name("leg_request"), x.transfer, x.who, x.owner_only, x.batch, x.kind,
           x.hold_amount);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, leg_group_answer& x) {
  return f(caf::meta::type_name("leg_group_answer"), x.account, x.refusals);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, order_request& x) {
  return f(caf::meta::type_name("order_request"), x.action, x.who, x.has_amount, x.amount,
           x.description, x.has_claim, x.idempotency_key, x.fingerprint);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, order_outcome& x) {
  return f(caf::meta::type_name("order_outcome"), x.status, x.body, x.stored);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, order_record& x) {
  return f(caf::meta::type_name("order_record"), x.id, x.tenant, x.payer_account,
           x.payee_account, x.payee_tenant, x.amount, x.currency, x.capture, x.status, x.amount_authorized,
           x.amount_captured, x.amount_refunded, x.description, x.failure_code, x.expires_at,
           x.authorization_ttl_seconds, x.created_at, x.updated_at, x.ordinal);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, user_changes& x) {
  return f(caf::meta::type_name("user_changes"), x.has_name, x.name, x.has_email, x.email);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, user_record& x) {
  return f(caf::meta::type_name("user_record"), x.id, x.tenant, x.name, x.email, x.deleted,
           x.created_at, x.ordinal);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, account_record& x) {
  return f(caf::meta::type_name("account_record"), x.id, x.tenant, x.user_id, x.currency,
           x.balance, x.held, x.overdraft_limit, x.status, x.created_at, x.ordinal);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, tenant_amount& x) {
  return f(caf::meta::type_name("tenant_amount"), x.tenant, x.amount);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, account_snapshot& x) {
  return f(caf::meta::type_name("account_snapshot"), x.record, x.net_deposits);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, transfer_record& x) {
  return f(caf::meta::type_name("transfer_record"), x.id, x.kind, x.from_account,
           x.to_account, x.from_tenant, x.to_tenant, x.order_id, x.amount, x.currency,
           x.description, x.created_at, x.settled_at, x.ordinal);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, shard_fence& x) {
  return f(caf::meta::type_name("shard_fence"), x.shard, x.epoch);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, entry_record& x) {
  return f(caf::meta::type_name("entry_record"), x.id, x.account_id, x.transfer_id,
           x.order_id, x.kind, x.amount, x.balance_after, x.created_at, x.ordinal);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, webhook_changes& x) {
  return f(caf::meta::type_name("webhook_changes"), x.has_url, x.url, x.has_events, x.events,
           x.has_description, x.description, x.has_status, x.status);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, webhook_endpoint_record& x) {
  return f(caf::meta::type_name("webhook_endpoint_record"), x.id, x.tenant, x.url, x.events,
           x.description, x.status, x.secret, x.deleted, x.cursor, x.created_at, x.ordinal);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, webhook_delivery_record& x) {
  return f(caf::meta::type_name("webhook_delivery_record"), x.id, x.endpoint_id, x.tenant,
           x.event_seq, x.event, x.status, x.attempts, x.last_status_code, x.next_attempt_at,
           x.first_attempt_at, x.created_at);
}

} // namespace settle

namespace settle::persistence {

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, idempotency_record& x) {
  return f(caf::meta::type_name("idempotency_record"), x.tenant, x.key, x.fingerprint,
           x.status, x.body, x.created_at);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, account_closure& x) {
  return f(caf::meta::type_name("account_closure"), x.account_id);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, event_record& x) {
  return f(caf::meta::type_name("event_record"), x.seq, x.name, x.tenants, x.topics, x.object,
           x.at);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, event_query& x) {
  return f(caf::meta::type_name("event_query"), x.tenant, x.after, x.limit);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, event_page& x) {
  return f(caf::meta::type_name("event_page"), x.events, x.has_more);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, held_change& x) {
  return f(caf::meta::type_name("held_change"), x.account_id, x.amount);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, leg_claim& x) {
  return f(caf::meta::type_name("leg_claim"), x.leg_id, x.account_id);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, write_set& x) {
  return f(caf::meta::type_name("write_set"), x.fences, x.leg_claims, x.users_inserted, x.users_updated,
           x.accounts_inserted, x.accounts_closed, x.transfers, x.held_changes,
           x.orders_inserted, x.orders_updated, x.idempotency_records, x.events,
           x.webhook_endpoints_inserted, x.webhook_endpoints_updated, x.webhook_deliveries,
           x.deadline.not_after);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, list_query& x) {
  return f(caf::meta::type_name("list_query"), x.tenant, x.starting_after, x.limit, x.filter,
           x.status);
}

template <class Inspector, class Record>
typename Inspector::result_type inspect(Inspector& f, list_page<Record>& x) {
  return f(caf::meta::type_name("list_page"), x.items, x.has_more, x.cursor_unknown);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, currency_audit& x) {
  return f(caf::meta::type_name("currency_audit"), x.currency, x.sum_of_balances, x.accounts,
           x.entries);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, account_mismatch& x) {
  return f(caf::meta::type_name("account_mismatch"), x.account_id, x.balance, x.sum_of_entries);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, audit_report& x) {
  return f(caf::meta::type_name("audit_report"), x.currencies, x.mismatched_accounts);
}

} // namespace settle::persistence
