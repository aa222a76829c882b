// The commands the ingress hands to the gateway, already validated in shape and value,
// and the answer the gateway hands back: an HTTP status and a JSON body.
#pragma once

#include "actors/messages.hpp"

#include <atomic>
#include <cstdint>
#include <memory>
#include <functional>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace settle {

struct list_parameters {
  std::int64_t limit = 20;
  std::string starting_after;
};

struct create_user_command { std::string name; std::string email; };
struct get_user_command { user_id id; };
struct list_users_command { list_parameters page; };
struct update_user_command { user_id id; user_changes changes; };
struct delete_user_command { user_id id; };

struct create_account_command {
  settle::user_id user_id;
  std::string currency;
  std::int64_t overdraft_limit = 0;
};
struct get_account_command { account_id id; };
struct list_accounts_command { settle::user_id user_id; list_parameters page; };
struct close_account_command { account_id id; };
struct list_entries_command { settle::account_id account_id; list_parameters page; };

// A deposit or a withdrawal: money enters or leaves through the world account.
struct external_movement_command {
  settle::account_id account_id;
  std::int64_t amount = 0;
  bool deposit = true;
};

struct create_transfer_command {
  account_id from_account;
  account_id to_account;
  std::int64_t amount = 0;
  std::string currency;
  std::string description;
};
struct get_transfer_command { transfer_id id; };
struct list_transfers_command { account_id account; list_parameters page; };

// One batch item: a transfer to attempt, or the validation failure it already has.
struct batch_item {
  create_transfer_command transfer;
  std::optional<failure> invalid;
};
struct transfer_batch_command {
  bool atomic = false;
  std::vector<batch_item> items;
};

struct create_order_command {
  account_id payer_account;
  account_id payee_account;
  std::int64_t amount = 0;
  std::string currency;
  std::string description;
  settle::capture_method capture = capture_method::automatic;
  std::int64_t authorization_ttl_seconds = default_authorization_ttl_seconds;
};
struct get_order_command { order_id id; };
struct list_orders_command { account_id account; std::string status; list_parameters page; };
struct update_order_command { order_id id; std::string description; };
// confirm, capture, cancel (also DELETE), refund; `amount` for capture and refund.
struct order_action_command {
  order_id id;
  order_action action = order_action::confirm;
  bool has_amount = false;
  std::int64_t amount = 0;
};

struct create_webhook_endpoint_command {
  std::string url;
  std::vector<std::string> events;
  std::string description;
  std::string secret; // made by the ingress, shown once in the answer
};
struct get_webhook_endpoint_command { webhook_endpoint_id id; };
struct list_webhook_endpoints_command { list_parameters page; };
struct update_webhook_endpoint_command { webhook_endpoint_id id; webhook_changes changes; };
struct delete_webhook_endpoint_command { webhook_endpoint_id id; };
struct list_webhook_deliveries_command { webhook_endpoint_id id; list_parameters page; };
struct retry_webhook_delivery_command {
  webhook_endpoint_id id;
  webhook_delivery_id delivery;
};

struct list_events_command {
  std::int64_t after = 0;
  std::int64_t limit = 20;
};

struct audit_command {};
struct cluster_command {};
struct readiness_command {};

using command = std::variant<create_user_command, get_user_command, list_users_command,
                             update_user_command, delete_user_command, create_account_command,
                             get_account_command, list_accounts_command, close_account_command,
                             list_entries_command, external_movement_command,
                             create_transfer_command, get_transfer_command,
                             list_transfers_command, transfer_batch_command, audit_command,
                             cluster_command, readiness_command, create_order_command,
                             get_order_command, list_orders_command, update_order_command,
                             order_action_command, list_events_command,
                             create_webhook_endpoint_command, get_webhook_endpoint_command,
                             list_webhook_endpoints_command, update_webhook_endpoint_command,
                             delete_webhook_endpoint_command, list_webhook_deliveries_command,
                             retry_webhook_delivery_command>;

struct api_response {
  unsigned status = 200;
  std::string body;
  bool replayed = false;
};

struct idempotency_claim {
  std::string key;
  std::string fingerprint;
};

// A WebSocket client's subscription to the event hub. `deliver` is called on an actor
// thread with each event frame, in seq order; it must only post to the connection.
struct stream_subscription {
  std::uint64_t id = 0;
  requester who;
  std::vector<std::string> topics; // object ids; "*": every event of the tenant
  bool has_since = false;
  std::int64_t since = 0;          // replay stored events after this seq first
  std::function<void(std::string frame)> deliver;
  // Frames handed over and not yet written to the client: the replay pauses while it is
  // high, so a client that reads promptly is never overrun by its own backlog.
  std::shared_ptr<std::atomic<std::size_t>> backlog;
};

// A request for the gateway. `reply` is called exactly once, on an actor thread: it must
// only post the answer to the connection's own executor.
struct api_request {
  requester who;
  std::optional<idempotency_claim> idempotency;
  settle::command command;
  std::function<void(api_response)> reply;
};

} // namespace settle
