// The simulated clients: tenants that open accounts, deposit, withdraw, transfer (one
// by one and in batches, atomic or not, with invalid items), and take orders through
// every action; some requests carry an Idempotency-Key, fresh or reused with the same
// or another body, and some have a session that times out. The model remembers every
// request, and judges every answer against the memory database at the moment the
// answer is given: what is acknowledged must already be durable.
#pragma once

#include "memory_database.hpp"
#include "seeded_random.hpp"

#include "actors/commands.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace settle::simulation {

struct known_account {
  account_id id;
  tenant_name tenant;
  std::string currency;
};

struct known_order {
  order_id id;
  tenant_name payer_tenant;
  tenant_name payee_tenant;
};

// A request the model sent, and what became of it.
struct sent_request {
  std::uint64_t number = 0;
  std::uint64_t incarnation = 0;          // of the node it was sent to
  tenant_name tenant;
  command what;
  std::vector<std::string> descriptions;  // unique to this request (or its key's first)
  std::optional<std::string> key;
  std::string fingerprint;
  std::shared_ptr<commit_gate> gate;      // when its session may time out
  bool timed_out = false;                 // its session answered 503: it must change nothing
  bool answered = false;
};

class client_model {
public:
  client_model(const memory_database& database, seeded_random& random);

  // The next request to send to the node of `incarnation`: while the tenants lack
  // users and accounts, those; then the seed picks.
  sent_request& next_request(std::uint64_t incarnation);

  // An answer from the node of `incarnation`; answers of a dead node, and of a
  // request whose session already timed out, are not the client's.
  void on_answer(std::uint64_t number, std::uint64_t incarnation, const api_response& answer);

  // The session of a random request still unanswered times out, if its commit has not
  // begun (as http_session does).
  void time_out_one(std::uint64_t incarnation);

  // A violation seen so far, if any.
  const std::optional<std::string>& violation() const { return violation_; }

  // Checks against the durable state what can be checked at any moment: requests
  // that timed out changed nothing; no request took effect twice.
  void check_effects();

  std::size_t requests() const { return sent_.size(); }
  std::size_t answered() const { return answered_; }
  const std::map<unsigned, std::size_t>& answers_by_status() const { return answers_by_status_; }
  bool awaits_answers(std::uint64_t incarnation) const;
  const std::vector<known_account>& accounts() const { return accounts_; }
  const std::vector<tenant_name>& tenants() const { return tenants_; }
  void fail(std::string violation);

private:
  command setup_command(const tenant_name& tenant, bool& needed);
  command random_command(tenant_name& tenant, std::string& description,
                         std::vector<std::string>& items);
  void check_answer(const sent_request& request, const api_response& answer);
  void learn(const sent_request& request, const api_response& answer);

  const memory_database& database_;
  seeded_random& random_;
  std::vector<tenant_name> tenants_;
  std::map<tenant_name, std::vector<user_id>> users_;
  std::vector<known_account> accounts_;
  std::vector<known_order> orders_;
  std::vector<std::unique_ptr<sent_request>> sent_;
  // The first 2xx answer to each key's request, which every repeat must replay.
  std::map<std::string, std::string> replayed_bodies_;
  std::size_t answered_ = 0;
  std::map<unsigned, std::size_t> answers_by_status_;
  std::optional<std::string> violation_;
};

} // namespace settle::simulation
