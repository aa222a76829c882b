// The write side of the database: commits a group of write sets in one transaction,
// with one multi-row statement per table (not one round trip per row), and the
// balance change of each account netted over the whole group. Blocking: it runs on
// the ledger writer's own thread, never on a scheduler or Asio thread.
#pragma once

#include "domain/metrics.hpp"
#include "persistence/commit_store.hpp"
#include "persistence/known_accounts.hpp"
#include "persistence/prepared_statements.hpp"
#include "persistence/storage_url.hpp"
#include "persistence/write_set.hpp"

#include <functional>
#include <optional>
#include <string>

#include <memory>
#include <vector>

namespace soci {
class session;
}

namespace settle::persistence {

class commit_script;
class row_batch;
class text_rows;

// Renders an account as GET shows it, for the `account.updated` events that the store
// writes when a group changes balances (only the store knows the balances after it).
class account_renderer {
public:
  virtual ~account_renderer() = default;
  virtual std::string account(const account_record& account) const = 0;
};

class ledger_store final : public commit_store {
public:
  // Without a renderer no `account.updated` events are written. `clustered`: several
  // nodes write to this database, so every commit checks its write sets' shard fences
  // and events are numbered in commit order across the nodes.
  // `lane`: which of the node's `lanes` writer connections this is (see ledger_writer).
  // On PostgreSQL with one node and one lane, this store alone changes the accounts, so
  // it knows their balances and commits a group of accounts it knows in one round trip
  // (see known_accounts).
  explicit ledger_store(const storage_url& url,
                        std::shared_ptr<const account_renderer> renderer = nullptr,
                        bool clustered = false, std::int32_t lane = 0, std::int32_t lanes = 1);
  ~ledger_store() override;
  ledger_store(const ledger_store&) = delete;
  ledger_store& operator=(const ledger_store&) = delete;

  void begin(const std::vector<const write_set*>& group,
             const ordinal_assigner& assign_ordinals) override;
  void send_commit() override;
  std::vector<event_record> await_commit() override;
  void roll_back() noexcept override;
  void reconnect() override;
  std::optional<std::vector<event_record>>
  outcome_of_last_group(std::int64_t largest_seq_before) override;
  bool abandon_leg(const leg_claim& claim) override;

private:
  void open();
  void register_writer();
  struct backend_identity {
    std::string pid;
    std::string start;
  };
  void remember_backend();
  void end_backend(soci::session& connection, const backend_identity& backend);
  void hold_writers_lock(soci::session& connection);
  void release_writers_lock() noexcept;
  void number_events_after(std::int64_t last_seq);
  using group_type = std::vector<const write_set*>;
  void lock_accounts(commit_script& script, const group_type& group);
  std::int64_t check_fences(commit_script& script, const group_type& group);
  void insert_leg_claims(commit_script& script, const group_type& group);
  void insert_users(commit_script& script, const group_type& group);
  void update_users(commit_script& script, const group_type& group);
  void insert_accounts(commit_script& script, const group_type& group);
  void close_accounts(commit_script& script, const group_type& group);
  void insert_transfers(commit_script& script, const group_type& group);
  void insert_orders(commit_script& script, const group_type& group);
  void update_orders(commit_script& script, const group_type& group);
  void insert_idempotency_records(commit_script& script, const group_type& group);
  void send_events_and_commit(commit_script& script);
  struct event_share {
    std::size_t start = 0;
    std::size_t end = 0;
  };
  bool assign_seqs(const text_rows& numbers, event_share share);
  std::vector<event_record> commit_asking_balances();
  void remember_learned();
  void forget_known() noexcept;

  storage_url url_;
  std::unique_ptr<soci::session> session_;
  prepared_statements prepared_; // on session_'s connection
  std::shared_ptr<const account_renderer> renderer_;
  bool clustered_ = false;
  std::int32_t lane_ = 0;
  std::unique_ptr<commit_script> script_; // the group begun and not yet answered
  event_share last_share_;                 // its events sent with COMMIT
  std::vector<event_record> account_events_;   // of the group being committed
  std::vector<event_record> committed_events_; // the group's events with their seq
  // What this store knows of the accounts (nullopt when others may change them too), and
  // what the group begun will have made of them once it commits.
  std::optional<known_accounts> known_;
  std::vector<known_accounts::state> learned_;
  group_type group_;           // the group begun, while known_ may have to be asked again
  // Where its balances came from; nullopt while it changes none.
  std::optional<commit_balances> balance_source_;
  // The outcome marker (see writer_commits in migrations.cpp).
  std::string writer_id_;
  std::int64_t group_number_ = 0;
  // The connection's server process (PostgreSQL), and the one that sent a COMMIT whose
  // answer was lost, which must have ended before the outcome is read.
  backend_identity backend_;
  std::optional<backend_identity> in_doubt_;
};

} // namespace settle::persistence
