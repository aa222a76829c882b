// Random transfers among a set of accounts from many threads, and the check that the
// ledger afterwards agrees with what the server answered. Shared by the concurrency test
// and the crash tests, which differ only in how the load ends.
#pragma once

#include "tests/integration/harness/api_client.hpp"

#include <boost/json.hpp>

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace settle::integration {

struct load_plan {
  std::vector<std::string> accounts;
  std::string key;
  std::string currency = "USD";
  std::size_t threads = 8;
  // 0: each thread keeps going until the server stops answering.
  std::size_t transfers_per_thread = 0;
  std::int64_t max_amount = 1000;
  std::uint32_t seed = 1;
};

// A plan over `accounts` new accounts of the client's tenant, each funded with `balance`.
load_plan funded_load_plan(api_client& client, const std::string& key, std::size_t accounts,
                           std::int64_t balance);

struct sent_transfer {
  std::string description;
  std::string from_account;
  std::string to_account;
  std::int64_t amount = 0;
};

struct other_answer {
  sent_transfer sent;
  unsigned status = 0;
  std::string body;
};

struct load_outcome {
  std::vector<boost::json::object> settled;  // the bodies of 201 answers
  std::vector<sent_transfer> refused_for_funds;  // 402 answers
  std::vector<other_answer> other_answers;  // anything else
  // Requests that got no answer because the server went away: each may or may not have
  // been committed, and at most one per thread.
  std::vector<sent_transfer> unanswered;
};

class transfer_load {
 public:
  // Starts the threads at once.
  transfer_load(std::uint16_t port, load_plan plan);
  // Stops the threads after their current request if finish() was not called.
  ~transfer_load();
  transfer_load(const transfer_load&) = delete;
  transfer_load& operator=(const transfer_load&) = delete;

  // The number of requests answered so far, whatever the answer, and of those settled (201).
  std::size_t answered() const { return answered_.load(); }
  std::size_t settled() const { return settled_.load(); }
  // Waits until `count` transfers were settled or `limit` passed; false on the latter.
  bool wait_for_settled(std::size_t count, std::chrono::milliseconds limit) const;
  // Ends the threads after their current request; finish() then gathers what they saw.
  void stop() { abandoned_ = true; }
  // Waits until `count` requests were answered or `limit` passed; false on the latter.
  bool wait_for_answers(std::size_t count, std::chrono::milliseconds limit) const;
  // Waits for every thread to end and gathers what they saw.
  load_outcome finish();

 private:
  void run_thread(std::size_t index);

  std::uint16_t port_;
  load_plan plan_;
  std::atomic<std::size_t> answered_{0};
  std::atomic<std::size_t> settled_{0};
  // Set when the load is abandoned (a test failed before finish()), so threads end.
  std::atomic<bool> abandoned_{false};
  std::mutex mutex_;
  load_outcome outcome_;
  std::vector<std::thread> threads_;
};

// The random numbers of one load thread: the same plan and thread draw the same requests.
std::mt19937 random_for_thread(const load_plan& plan, std::size_t thread_index);
// A transfer of 1 to max_amount between two different accounts of the plan.
sent_transfer random_transfer(const load_plan& plan, std::mt19937& random, std::string description);

// The body of POST /v1/transfers for it; the description tells the request apart later.
boost::json::object transfer_body(const sent_transfer& sent, const std::string& currency);

// Files one answer under `settled` (201), `refused_for_funds` (402) or `other_answers`.
void record_answer(load_outcome& outcome, const sent_transfer& sent, const http_response& response);

// Every transfer the server lists for the accounts, whatever its kind, by id.
using transfer_map = std::map<std::string, boost::json::object>;
transfer_map transfers_of_accounts(api_client& tenant, const std::vector<std::string>& accounts);

// The answers other than 201 and 402, except those with the status `tolerated` (0: none),
// described for a test report.
std::vector<std::string> unexpected_answers(const load_outcome& outcome, unsigned tolerated = 0);

// What must hold after a load, given the accounts (all with overdraft 0, in one currency,
// touched only by their deposits and the load) and their total deposits: every settled
// answer is retrievable unchanged, every stored transfer was settled or unanswered,
// balances follow the stored transfers, entries match balances, the sum is conserved and
// the audit is clean. Returns the problems found; empty means consistent.
std::vector<std::string> verify_ledger_after_load(api_client& tenant, api_client& admin,
                                                  const std::vector<std::string>& accounts,
                                                  std::int64_t total_deposits, const load_outcome& outcome);

}  // namespace settle::integration
