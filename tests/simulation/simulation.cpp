#include "simulation.hpp"

#include "client_model.hpp"
#include "ledger_invariants.hpp"
#include "simulated_node.hpp"

#include "domain/ids.hpp"

#include <boost/json.hpp>

#include <memory>

namespace settle::simulation {
namespace {

// Ids take their random part from the seed too (see use_random_source).
seeded_random* id_bits = nullptr;

std::uint64_t draw_id_bits() noexcept {
  return id_bits->next();
}

class seeded_ids {
public:
  explicit seeded_ids(std::uint64_t seed) : random_(seed ^ 0x5eed1d5ull) {
    id_bits = &random_;
    use_random_source(&draw_id_bits);
  }
  ~seeded_ids() {
    use_random_source(nullptr);
    id_bits = nullptr;
  }
  seeded_ids(const seeded_ids&) = delete;
  seeded_ids& operator=(const seeded_ids&) = delete;

private:
  seeded_random random_;
};

// FNV-1a over what the database holds, in its maps' order.
std::uint64_t digest_of(const memory_database& database) {
  std::uint64_t hash = 14695981039346656037ull;
  auto mix = [&hash](const std::string& text) {
    for (unsigned char c : text) {
      hash = (hash ^ c) * 1099511628211ull;
    }
  };
  for (const auto& [id, account] : database.accounts) {
    mix(id.value + ":" + std::to_string(account.balance) + ":" + std::to_string(account.held));
  }
  for (const auto& [id, transfer] : database.transfers) {
    mix(id.value + ":" + std::to_string(transfer.amount));
  }
  for (const auto& [id, order] : database.orders) {
    mix(id.value + ":" + to_string(order.status) + ":" + std::to_string(order.amount_captured));
  }
  return hash;
}

// Each seed fails in its own measure: some not at all, some often.
node_faults draw_faults(seeded_random& random) {
  node_faults faults;
  faults.store.refused = random.below(7);
  faults.store.answer_lost_after_commit = random.below(5);
  faults.store.answer_lost_before_commit = random.below(5);
  faults.failing_reads_percent = random.below(5);
  return faults;
}

// 2021-07-30: any fixed instant will do; ids and timestamps are made from it.
constexpr std::int64_t simulation_epoch_milliseconds = 1'627'600'000'000;

// Bounds the messages and timers of the final phase, in which everything must settle.
constexpr std::size_t settling_bound = 500000;
constexpr int attempts_while_unavailable = 100;

class simulation_run {
public:
  explicit simulation_run(const simulation_settings& settings)
    : random_(settings.seed), ids_(settings.seed), database_(simulated_currencies()),
      clock_(simulation_epoch_milliseconds), faults_(draw_faults(random_)),
      clients_(database_, random_), steps_(settings.steps) {
    start_node();
  }

  simulation_report run() {
    for (std::size_t step = 0; step < steps_ && !report_.violation; ++step) {
      take_step();
      check(step);
    }
    if (!report_.violation) {
      finish();
    }
    report_.requests = clients_.requests();
    report_.answered = clients_.answered();
    report_.answers_by_status = clients_.answers_by_status();
    report_.faults = counts_;
    report_.database_digest = digest_of(database_);
    return report_;
  }

private:
  void start_node() {
    node_ = std::make_unique<simulated_node>(database_, random_, faults_, counts_, clock_);
  }

  void take_step() {
    auto action = random_.below(1000);
    if (action < 45) {
      send(clients_.next_request(incarnation_));
    } else if (action < 55) {
      clients_.time_out_one(incarnation_);
    } else if (action < 62) {
      if (writer_stall_ == 0) {
        writer_stall_ = static_cast<std::size_t>(random_.between(10, 300));
      }
    } else if (action < 64) {
      crash();
    } else {
      advance(writer_stall_ > 0);
    }
    writer_stall_ -= writer_stall_ > 0 ? 1 : 0;
    ++report_.steps;
  }

  void check(std::size_t step) {
    ++report_.invariant_checks;
    auto broken = broken_invariant(database_);
    clients_.check_effects();
    if (!broken && clients_.violation()) {
      broken = clients_.violation();
    }
    if (broken && !report_.violation) {
      report_.violation = broken;
      report_.failed_at_step = step;
    }
  }

  void send(const sent_request& request) {
    api_request message;
    message.who = requester{request.tenant, false, request_deadline{0, request.gate}};
    if (request.key) {
      message.idempotency = idempotency_claim{*request.key, request.fingerprint};
    }
    message.command = request.what;
    message.reply = [this, number = request.number, incarnation = incarnation_](api_response answer) {
      clients_.on_answer(number, incarnation, answer);
    };
    node_->execute(std::move(message));
  }

  // One message, or when none can run, the next timer.
  bool advance(bool writer_stalled) {
    if (node_->run_one(writer_stalled)) {
      ++report_.messages;
      return true;
    }
    if (node_->fire_next_timer()) {
      ++report_.timers;
      return true;
    }
    return false;
  }

  // The answers of the dead node are not the clients' any more: the incarnation changes
  // before its actors stop.
  void crash() {
    ++incarnation_;
    ++report_.crashes;
    if (!node_->crash()) {
      fail("a crashed node's actors did not stop");
    }
    node_.reset();
    start_node();
  }

  void fail(std::string violation) {
    if (!report_.violation) {
      report_.violation = std::move(violation);
      report_.failed_at_step = report_.steps;
    }
  }

  bool has_authorized_orders() const {
    for (const auto& [id, order] : database_.orders) {
      if (order.status == order_status::authorized) {
        return true;
      }
    }
    return false;
  }

  // Everything settles: all messages handled, every request answered, every hold
  // ended by its order's expiry at the latest.
  void settle_everything() {
    for (std::size_t turn = 0; turn < settling_bound; ++turn) {
      if (node_->run_one(false)) {
        continue;
      }
      if (!clients_.awaits_answers(incarnation_) && !has_authorized_orders()) {
        return;
      }
      if (!node_->fire_next_timer()) {
        break;
      }
    }
    if (clients_.awaits_answers(incarnation_)) {
      fail("a request was never answered");
      return;
    }
    for (const auto& [id, order] : database_.orders) {
      if (order.status == order_status::authorized) {
        fail("the hold of " + id.value + " never ended (it expired "
             + std::to_string(clock_.now() - order.expires_at) + " ms ago)");
        return;
      }
    }
  }

  // Asks the node and runs it until the answer comes; retries while it is 503.
  std::optional<api_response> ask(const requester& who, const command& what) {
    for (int attempt = 0; attempt < attempts_while_unavailable; ++attempt) {
      std::optional<api_response> answer;
      api_request message{who, std::nullopt, what, [&answer](api_response response) {
                            answer = std::move(response);
                          }};
      node_->execute(std::move(message));
      for (std::size_t turn = 0; turn < settling_bound && !answer; ++turn) {
        if (!advance(false)) {
          break;
        }
      }
      if (!answer || answer->status != 503) {
        return answer;
      }
    }
    return std::nullopt;
  }

  // Each account's actor shows what the database holds.
  void compare_views() {
    for (const auto& [id, stored] : database_.accounts) {
      auto answer = ask(requester{{}, true, {}}, get_account_command{id});
      if (!answer || answer->status != 200) {
        fail("GET " + id.value + " was not answered 200");
        return;
      }
      auto shown = boost::json::parse(answer->body).as_object();
      if (shown.at("balance").as_int64() != stored.balance || shown.at("held").as_int64() != stored.held) {
        fail(id.value + ": the actor shows " + answer->body + ", the database balance "
             + std::to_string(stored.balance) + " held " + std::to_string(stored.held));
        return;
      }
    }
  }

  // A reservation that leaked would make money unavailable: everything available is
  // withdrawn, and each withdrawal must succeed.
  void withdraw_everything() {
    for (const auto& known : clients_.accounts()) {
      const auto& stored = database_.accounts.at(known.id);
      auto available = stored.balance + stored.overdraft_limit - stored.held;
      if (available <= 0) {
        continue;
      }
      auto answer = ask(requester{known.tenant, false, {}},
                        external_movement_command{known.id, available, false});
      if (!answer || answer->status != 201) {
        fail("withdrawing the " + std::to_string(available) + " available of " + known.id.value
             + " was refused: " + (answer ? answer->body : "no answer"));
        return;
      }
    }
  }

  void finish() {
    writer_stall_ = 0;
    settle_everything();
    if (!report_.violation) {
      compare_views();
    }
    if (!report_.violation) {
      withdraw_everything();
    }
    check(report_.steps);
  }

  seeded_random random_;
  seeded_ids ids_;
  memory_database database_;
  virtual_clock clock_;
  node_faults faults_;
  store_fault_counts counts_;
  client_model clients_;
  std::size_t steps_;
  std::unique_ptr<simulated_node> node_;
  std::uint64_t incarnation_ = 1;
  std::size_t writer_stall_ = 0;
  simulation_report report_;
};

} // namespace

simulation_report simulate(const simulation_settings& settings) {
  simulation_run run{settings};
  return run.run();
}

} // namespace settle::simulation
