// The Settle API as typed C++ calls: one object per API key, one kept-alive HTTP
// connection, every call blocking on the caller's thread until its answer (or its last
// retry) is in.
//
// Not thread-safe: use one api_client per thread (they are cheap: a socket and a buffer).
//
// Every POST carries an Idempotency-Key made for that call from std::random_device, and
// every retry of the call reuses it, so a call the server may have applied before its
// answer was lost is applied at most once. See retry_options for what is retried.
//
//   settle::client::client_options options;
//   options.base_url = "http://127.0.0.1:8080";
//   options.api_key = key;
//   settle::client::api_client api(options);
//   auto payer = api.create_account({user.id, "USD"});
//   api.deposit(payer.id, 10'000);
//   auto paid = api.create_transfer({payer.id, payee.id, 2'500, "USD"});
#pragma once

#include "client/errors.hpp"
#include "client/event_stream.hpp"
#include "client/options.hpp"
#include "client/resources.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace settle::client {

// What happened to the last call, for logs and tests.
struct call_report {
  int attempts = 0;
  unsigned status = 0;
  // The server answered with a stored answer (Idempotent-Replayed: true): a retry of a
  // request it had already applied.
  bool replayed = false;
  std::string idempotency_key;
};

class api_client {
 public:
  // Connects lazily, at the first call. Throws std::invalid_argument for a base URL it
  // cannot use.
  explicit api_client(client_options options);
  ~api_client();
  api_client(api_client&&) noexcept;
  api_client& operator=(api_client&&) noexcept;
  api_client(const api_client&) = delete;
  api_client& operator=(const api_client&) = delete;

  // Users.
  user create_user(const new_user& fields);
  user get_user(const std::string& user_id);
  page<user> list_users(const list_options& options = {});
  user update_user(const std::string& user_id, const user_changes& changes);
  // The answer {"id", "deleted": true}; 409 user_has_open_accounts while any is open.
  user delete_user(const std::string& user_id);

  // Accounts and the money that enters and leaves them.
  account create_account(const new_account& fields);
  account get_account(const std::string& account_id);
  page<account> list_accounts(const std::string& user_id, const list_options& options = {});
  // Closes the account (status "closed"); 409 account_not_empty unless balance and held are 0.
  account close_account(const std::string& account_id);
  transfer deposit(const std::string& account_id, std::int64_t amount);
  transfer withdraw(const std::string& account_id, std::int64_t amount);
  page<entry> list_entries(const std::string& account_id, const list_options& options = {});

  // Transfers: immediate payments, alone or in batches of up to 1000.
  transfer create_transfer(const new_transfer& fields);
  transfer get_transfer(const std::string& transfer_id);
  page<transfer> list_transfers(const std::string& account_id, const list_options& options = {});
  // With `atomic`, either every item settles or none does. The call succeeds even when
  // items fail: each result says how its item went.
  batch_result create_batch(const std::vector<new_transfer>& transfers, bool atomic);

  // Orders: authorize, then capture.
  order create_order(const new_order& fields);
  order get_order(const std::string& order_id);
  page<order> list_orders(const order_filter& filter = {}, const list_options& options = {});
  order confirm_order(const std::string& order_id);
  // Captures `amount` (all that is authorized when empty) and releases the rest.
  order capture_order(const std::string& order_id, std::optional<std::int64_t> amount = std::nullopt);
  order cancel_order(const std::string& order_id);
  // Refunds `amount` (all that is captured and not yet refunded when empty).
  order refund_order(const std::string& order_id, std::optional<std::int64_t> amount = std::nullopt);
  order update_order(const std::string& order_id, const std::string& description);

  // The event log, oldest first, after `after_seq` (GET /v1/events).
  page<event> list_events(std::int64_t after_seq, std::optional<int> limit = std::nullopt);

  // A live subscription on the same server with the same key (see event_stream).
  event_stream subscribe(stream_options options = {}) const;

  const call_report& last_call() const;
  const client_options& options() const;

 private:
  struct state;
  std::unique_ptr<state> state_;
};

} // namespace settle::client
