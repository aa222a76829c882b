// Every typed-actor interface of Settle on one screen. Handlers that can fail answer
// a caf::error made by make_settle_error (see messages.hpp).
#pragma once

#include "actors/commands.hpp"
#include "actors/messages.hpp"

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

// The request carries a callback into the ingress, so it never leaves this node.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(settle::api_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(settle::stream_subscription)

namespace settle {

// Detached: runs the blocking SOCI reads on its own thread.
using storage_reader_actor = caf::typed_actor<
  caf::replies_to<load_atom, user_tag_atom, std::string>::with<user_record>,
  caf::replies_to<load_atom, account_tag_atom, std::string>::with<account_snapshot>,
  caf::replies_to<load_atom, transfer_tag_atom, std::string>::with<transfer_record>,
  caf::replies_to<load_atom, order_tag_atom, std::string>::with<order_record>,
  // The stored answers of the keys asked (by tenant and key): see find_idempotency_records.
  caf::replies_to<load_atom, idempotency_tag_atom,
                  std::vector<persistence::idempotency_record>>::with<
    std::vector<persistence::idempotency_record>>,
  caf::replies_to<count_atom, std::string>::with<std::int64_t>,
  caf::replies_to<list_atom, user_tag_atom, persistence::list_query>::with<
    persistence::list_page<user_record>>,
  caf::replies_to<list_atom, account_tag_atom, persistence::list_query>::with<
    persistence::list_page<account_record>>,
  caf::replies_to<list_atom, transfer_tag_atom, persistence::list_query>::with<
    persistence::list_page<transfer_record>>,
  caf::replies_to<list_atom, entry_tag_atom, persistence::list_query>::with<
    persistence::list_page<entry_record>>,
  caf::replies_to<list_atom, order_tag_atom, persistence::list_query>::with<
    persistence::list_page<order_record>>,
  caf::replies_to<load_atom, webhook_tag_atom, std::string>::with<webhook_endpoint_record>,
  caf::replies_to<load_atom, delivery_tag_atom, std::string>::with<webhook_delivery_record>,
  caf::replies_to<list_atom, webhook_tag_atom, persistence::list_query>::with<
    persistence::list_page<webhook_endpoint_record>>,
  caf::replies_to<list_atom, delivery_tag_atom, persistence::list_query>::with<
    persistence::list_page<webhook_delivery_record>>,
  // A tenant's endpoints; every enabled endpoint's id; the newest event's seq.
  caf::replies_to<count_atom, webhook_tag_atom, tenant_name>::with<std::int64_t>,
  caf::replies_to<list_atom, webhook_tag_atom>::with<std::vector<std::string>>,
  caf::replies_to<load_atom, event_tag_atom>::with<std::int64_t>,
  caf::replies_to<list_atom, event_tag_atom, persistence::event_query>::with<
    persistence::event_page>,
  caf::replies_to<audit_atom>::with<persistence::audit_report>>;

// Whether a URL may be a webhook's: true, or `invalid_parameter` on `url` (see
// webhook_transport::check_address). `checked`: the transport's answer, by ticket
// (empty: allowed).
using webhook_address_checker_actor = caf::typed_actor<
  caf::replies_to<check_atom, std::string>::with<bool>,
  caf::reacts_to<checked_atom, std::uint64_t, std::string>>;

// Keeps the webhook endpoints of this node's shards running (see webhook_dispatcher).
// `poll`: the log has events up to this seq. `tick`: look for endpoints to start.
using webhook_dispatcher_actor =
  caf::typed_actor<caf::reacts_to<poll_atom, std::int64_t>, caf::reacts_to<tick_atom>>;

// Fans committed events out to WebSocket subscribers; replays stored ones first on request.
// A watcher hears of every publication: the seq of its last event.
using event_hub_actor = caf::typed_actor<
  caf::reacts_to<watch_atom, webhook_dispatcher_actor>,
  caf::reacts_to<publish_atom, std::vector<persistence::event_record>>,
  caf::reacts_to<subscribe_atom, stream_subscription>,
  caf::reacts_to<unsubscr_atom, std::uint64_t>,
  caf::reacts_to<replay_atom, std::uint64_t, std::int64_t>>;

// Detached: gathers write sets and commits them in groups; answers each after commit.
// In a cluster, `abandon` settles a leg reserved for another node that never told its
// outcome: true if the leg can no longer commit, false if it did (see leg_claim).
// `flush` and `conclude` are the writer's messages to itself.
using ledger_writer_actor = caf::typed_actor<
  caf::replies_to<commit_atom, persistence::write_set>::with<bool>,
  caf::replies_to<abandon_atom, persistence::leg_claim>::with<bool>,
  caf::reacts_to<flush_atom>, caf::reacts_to<conclude_atom>>;

// One per account: the only writer of that account's state.
using account_actor = caf::typed_actor<
  caf::replies_to<caf::get_atom, requester>::with<account_record>,
  // Reserves the debit leg of a transfer; answers the account (for its tenant and
  // currency). An empty transfer currency means the account's own.
  caf::replies_to<debit_atom, leg_request>::with<account_record>,
  // Promises the credit leg of a transfer; anyone may pay into an account.
  caf::replies_to<credit_atom, leg_request>::with<account_record>,
  // Reserves a hold, a release of held money, or a capture paid by a hold.
  caf::replies_to<hold_atom, leg_request>::with<account_record>,
  // The debits and credits a batch asks of this account, reserved in their order.
  caf::replies_to<reserve_legs_atom, std::vector<leg_request>>::with<leg_group_answer>,
  // The account without the requester check: currency and status, for an order's payee.
  caf::replies_to<describe_atom>::with<account_record>,
  // The outcome of a reserved leg: applied when committed, released otherwise.
  caf::reacts_to<settle_legs_atom, std::vector<std::string>, bool>,
  caf::replies_to<close_atom, requester>::with<account_record>,
  // A leg reserved for another node is still pending: find out its outcome.
  caf::reacts_to<leg_due_atom, std::string>,
  caf::reacts_to<passivate_atom>,
  caf::reacts_to<retire_atom>>;

// One per user: serializes a user's changes with the opening of its accounts.
using user_actor = caf::typed_actor<
  caf::replies_to<caf::get_atom, requester>::with<user_record>,
  caf::replies_to<update_atom, requester, user_changes>::with<user_record>,
  caf::replies_to<delete_atom, requester>::with<user_record>,
  caf::replies_to<open_atom, requester, account_record, persistence::write_set>::with<
    account_record>,
  caf::reacts_to<passivate_atom>,
  caf::reacts_to<retire_atom>>;

// One per order: drives the payment between the payer's and the payee's accounts and
// serializes every action on the order.
using order_actor = caf::typed_actor<
  caf::replies_to<caf::get_atom, requester>::with<order_record>,
  caf::replies_to<act_atom, order_request>::with<order_outcome>,
  caf::replies_to<update_atom, requester, std::string>::with<order_record>,
  caf::reacts_to<expire_atom>,
  caf::reacts_to<passivate_atom>,
  caf::reacts_to<retire_atom>>;

// Finds or spawns (loading from the database) the actor of an entity, and passivates
// idle ones. Entities are placed on shards by a hash of their id; `lookup` follows the
// shard to the node that owns it, `locate` (from another node's region) answers only
// for a shard this node owns. Both answer the actor and the lease it works under.
// `rebalance`: the shards' owners changed; actors of shards no longer owned retire.
template <class Handle>
using region_actor = caf::typed_actor<
  caf::replies_to<lookup_atom, std::string>::with<Handle, persistence::shard_fence>,
  caf::replies_to<locate_atom, std::string>::with<Handle, persistence::shard_fence>,
  caf::reacts_to<rebalance_atom>,
  caf::reacts_to<sweep_atom>>;

// One per webhook endpoint: the only writer of the endpoint's row, and its sender, one
// event at a time in seq order. Internal: `poll` (the log has events up to a seq, 0:
// look again), `delivered` (an attempt's outcome: attempt, HTTP status or 0, why),
// `resend` (a failed attempt's wait is over), `committed` (an outcome is durable).
using webhook_endpoint_actor = caf::typed_actor<
  caf::replies_to<caf::get_atom, requester>::with<webhook_endpoint_record>,
  caf::replies_to<update_atom, requester, webhook_changes>::with<webhook_endpoint_record>,
  caf::replies_to<delete_atom, requester>::with<webhook_endpoint_record>,
  caf::replies_to<retry_atom, requester, std::string>::with<webhook_delivery_record>,
  caf::reacts_to<poll_atom, std::int64_t>,
  caf::reacts_to<delivered_atom, std::uint64_t, std::int64_t, std::string>,
  caf::reacts_to<resend_atom, std::uint64_t>,
  caf::reacts_to<passivate_atom>,
  caf::reacts_to<retire_atom>>;

using account_region_actor = region_actor<account_actor>;
using user_region_actor = region_actor<user_actor>;
using order_region_actor = region_actor<order_actor>;
using webhook_region_actor = region_actor<webhook_endpoint_actor>;

// The id of the entities a region holds: asking the accounts' region with an order id
// does not compile (see ask_entity). The regions' messages carry the id's text.
template <class Handle>
struct entity_id_of;
template <>
struct entity_id_of<account_actor> { using type = account_id; };
template <>
struct entity_id_of<user_actor> { using type = user_id; };
template <>
struct entity_id_of<order_actor> { using type = order_id; };
template <>
struct entity_id_of<webhook_endpoint_actor> { using type = webhook_endpoint_id; };
template <class Handle>
using entity_id = typename entity_id_of<Handle>::type;

// Tracks Idempotency-Keys in flight and the answers stored for completed ones.
// A claim answers a record with status 0 to proceed, or the stored answer to replay;
// `idempotency_key_in_use` / `idempotency_key_reused` errors otherwise.
using idempotency_guard_actor = caf::typed_actor<
  caf::replies_to<claim_atom, tenant_name, std::string, std::string>::with<
    persistence::idempotency_record>,
  // Ends a claim: status 0 forgets it (not stored), else the answer now stored.
  caf::reacts_to<release_atom, persistence::idempotency_record>>;

// The one actor a node publishes to the other nodes of its cluster. A peer introduces
// itself (its node id and its regions: accounts, users, orders, webhook endpoints) and
// learns this node's
// regions, as untyped handles, so that they travel without registering every typed
// handle. Only a member of the cluster (the members table) is answered.
using introduction =
  caf::replies_to<regions_atom, std::string, caf::actor, caf::actor, caf::actor,
                  caf::actor>::with<caf::actor, caf::actor, caf::actor, caf::actor>;
using node_directory_actor = caf::typed_actor<introduction>;

// Keeps this node's shard leases and its view of the cluster (see cluster_manager.hpp).
// poll_atom: while leaving, whether the others have taken this node's shards over.
using cluster_manager_actor =
  caf::typed_actor<caf::reacts_to<tick_atom>, caf::reacts_to<poll_atom>,
                   caf::replies_to<leave_atom>::with<bool>, introduction>;

// Where a validated request enters the actors; it answers through the request's callback.
using gateway_actor = caf::typed_actor<caf::reacts_to<execute_atom, api_request>>;

} // namespace settle
