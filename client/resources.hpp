// The API's resources as plain structs, exactly the fields of the contract's JSON objects,
// and the parameters of the calls that create or change them. Amounts are int64 minor
// units of the currency (cents for USD), never floating point; timestamps are the
// contract's RFC 3339 strings, left as text so that nothing is lost converting them.
#pragma once

#include "client/errors.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace settle::client {

struct user {
  std::string id;
  std::string name;
  std::string email;
  std::string created_at;
  // Only the answer of delete_user (and a user.deleted event) sets it; such an answer
  // carries no name, email or created_at.
  bool deleted = false;
};

struct account {
  std::string id;
  // Empty only for the system accounts acc_world_<CUR>, which belong to no user.
  std::string user_id;
  std::string currency;
  std::int64_t balance = 0;
  std::int64_t held = 0;
  // balance + overdraft_limit - held; empty only if that sum leaves 64-bit range.
  std::optional<std::int64_t> available;
  std::int64_t overdraft_limit = 0;
  // "open" or "closed".
  std::string status;
  std::string created_at;
};

// One ledger line of an account.
struct entry {
  std::string id;
  std::string account_id;
  std::string transfer_id;
  std::optional<std::string> order_id;
  // deposit, withdrawal, transfer, capture or refund.
  std::string kind;
  // Signed: positive is a credit, negative a debit.
  std::int64_t amount = 0;
  std::int64_t balance_after = 0;
  std::string created_at;
};

struct transfer {
  std::string id;
  // deposit, withdrawal, transfer, capture or refund.
  std::string kind;
  std::string from_account;
  std::string to_account;
  std::optional<std::string> order_id;
  std::int64_t amount = 0;
  std::string currency;
  std::string description;
  std::string status;
  std::string created_at;
  std::string settled_at;
};

struct order {
  std::string id;
  // created, authorized, settled, failed, cancelled, expired, partially_refunded, refunded.
  std::string status;
  std::string payer_account;
  std::string payee_account;
  std::int64_t amount = 0;
  std::string currency;
  // "automatic" or "manual".
  std::string capture_method;
  std::int64_t amount_authorized = 0;
  std::int64_t amount_captured = 0;
  std::int64_t amount_refunded = 0;
  std::string description;
  std::optional<std::string> failure_code;
  std::optional<std::string> expires_at;
  std::string created_at;
  std::string updated_at;
};

// One item of a batch's answer, in the order of the request: a settled transfer or the
// item's own error (batch_aborted for the innocent items of a failed atomic batch).
struct batch_item_result {
  std::optional<transfer> settled;
  std::optional<error_details> error;

  bool succeeded() const { return settled.has_value(); }
};

struct batch_result {
  std::vector<batch_item_result> results;
};

// One page of a list, newest first (events: oldest first).
template <class Resource>
struct page {
  std::vector<Resource> data;
  bool has_more = false;
};

// One event of the log or the stream: `object` is the object right after the change.
struct event {
  std::int64_t seq = 0;
  // user.created, account.updated, transfer.settled, order.authorized, ...
  std::string name;
  std::string at;
  std::variant<std::monostate, user, account, transfer, order> object;
  // The object's JSON as received, for fields this version of the structs lacks.
  std::string object_json;
};

// Parameters of the calls. Optional fields that are empty are left out of the request,
// so the server's defaults apply.

struct new_user {
  std::string name;
  std::string email;
};

struct user_changes {
  std::optional<std::string> name;
  std::optional<std::string> email;
};

struct new_account {
  std::string user_id;
  std::string currency;
  std::optional<std::int64_t> overdraft_limit;
};

struct new_transfer {
  std::string from_account;
  std::string to_account;
  std::int64_t amount = 0;
  std::string currency;
  std::optional<std::string> description;
};

struct new_order {
  std::string payer_account;
  std::string payee_account;
  std::int64_t amount = 0;
  std::string currency;
  // "automatic" settles at confirmation; "manual" holds the money until capture.
  std::string capture_method = "automatic";
  std::optional<std::string> description;
  std::optional<std::chrono::seconds> authorization_ttl;
};

struct list_options {
  // 1 to 100; the server's default (20) when empty.
  std::optional<int> limit;
  // The id of the last item of the previous page.
  std::optional<std::string> starting_after;
};

struct order_filter {
  std::optional<std::string> account;
  std::optional<std::string> status;
};

} // namespace settle::client
