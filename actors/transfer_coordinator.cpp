// Transfers without locks, in two phases. First every leg is reserved at its account
// actor: the payer reserves the debit against `available`, the payee promises the
// credit. Then the coordinator commits every transfer whose legs were both accepted —
// in one write set, with the request's idempotency record — and only after the commit
// tells each account to apply its leg; any leg of a transfer that cannot commit is
// released. An atomic batch commits all of its transfers or none.
//
// The transfers of a batch behave as if reserved one after another, so each sees the
// ones before it: a credit promised by an accepted transfer may be spent by a later one
// (they commit together). To go fast, a batch is first reserved all at once without
// spending such credits (the optimistic pass). If every transfer is accepted, the result
// is the one the sequential order gives, since each saw less money than it would have
// then. If a refusal could depend on other transfers of the batch (funds, overflow, a
// timeout), everything is released and the batch is reserved again, one by one.
// The optimistic pass asks each account once, with all of the batch's legs at it in
// the batch's order, and keeps a bounded window of accounts in flight: CAF 0.17 keeps
// an actor's pending requests in a flat map, so each answer costs a shift of all of
// them. The outcomes go to each account in one message too.
// A deposit or withdrawal learns its currency from the account first, and then
// reserves the leg of that currency's world account.
#include "actors/change_events.hpp"
#include "actors/gateway_internal.hpp"
#include "domain/clock.hpp"
#include "domain/currency.hpp"
#include "domain/ids.hpp"

#include <algorithm>
#include <unordered_map>

namespace settle::gateway_detail {
namespace {

struct leg {
  std::string param;      // the request field that names the account ("" when the path does)
  bool world = false;     // the currency's world account, known once the currency is
  bool asked = false;     // a world leg is asked after the account's leg
  bool reserved = false;
  account_actor actor;
  persistence::shard_fence fence; // the lease the account's actor reserved under
  std::optional<failure> refusal;
};

struct transfer_job {
  transfer_record transfer;
  leg from;
  leg to;
  std::optional<failure> invalid;
  std::string rendered; // the settled transfer's JSON, once it is committed
  int outstanding = 0;  // legs asked, not yet answered

  bool accepted() const { return !invalid && !from.refusal && !to.refusal; }
};

enum class answer_shape { single, batch };

// The legs the optimistic pass asks of one account: jobs by index, each with its side.
struct leg_group {
  account_id account;
  std::vector<std::size_t> jobs;
  std::vector<bool> debits; // the job's debit (from) leg, else its credit (to) leg
};

struct transfer_run {
  context_pointer context;
  std::vector<transfer_job> jobs;
  std::size_t next = 0; // the job to reserve next (a batch goes one by one)
  bool atomic = true;
  answer_shape shape = answer_shape::single;
  std::string batch;    // the token under which a batch's promised credits are spendable
  std::vector<leg_group> groups;     // that pass's legs by account
  std::size_t next_group = 0;        // the group to ask next
  std::size_t in_window = 0;         // groups asked, not yet answered
  std::vector<transfer_job> pristine; // the jobs as they were before that pass
};

using run_pointer = std::shared_ptr<transfer_run>;

// The order in which refusals are reported when both legs refuse.
int severity(settle_errc code) {
  switch (code) {
    case settle_errc::not_found:
      return 0;
    case settle_errc::account_closed:
      return 1;
    case settle_errc::currency_mismatch:
      return 2;
    case settle_errc::amount_too_large:
      return 3;
    case settle_errc::insufficient_funds:
      return 4;
    default:
      return 5;
  }
}

failure refusal_of(const transfer_job& job) {
  if (job.invalid) {
    return *job.invalid;
  }
  if (job.from.refusal && job.to.refusal) {
    return severity(job.to.refusal->code) < severity(job.from.refusal->code) ? *job.to.refusal
                                                                             : *job.from.refusal;
  }
  return job.from.refusal ? *job.from.refusal : *job.to.refusal;
}

// A leg's failure names the request field of its account.
failure leg_failure(const leg& side, failure reason) {
  switch (reason.code) {
    case settle_errc::not_found:
    case settle_errc::account_closed:
    case settle_errc::currency_mismatch:
      reason.param = side.param;
      break;
    case settle_errc::insufficient_funds:
      reason.param.clear();
      break;
    default:
      break;
  }
  return reason;
}

// Releases the reserved legs of one refused job (the transfers reserved one by one).
void release_job(gateway_pointer self, const transfer_job& job) {
  for (const leg* side : {&job.from, &job.to}) {
    if (side->reserved) {
      self->anon_send(side->actor, settle_legs_atom::value,
                      std::vector<std::string>{job.transfer.id.value}, false);
    }
  }
}

// Leg ids by the account actor that holds them, in the order of the jobs (or the
// reverse), for the reserved legs of the jobs that `chosen` picks: one message each.
struct actor_legs {
  account_actor actor;
  std::vector<std::string> legs;
};

template <class Chosen>
std::vector<actor_legs> legs_by_actor(const std::vector<transfer_job>& jobs, bool newest_first,
                                      Chosen chosen) {
  std::vector<actor_legs> result;
  std::unordered_map<caf::actor_addr, std::size_t> index_of;
  for (std::size_t step = 0; step < jobs.size(); ++step) {
    const auto& job = jobs[newest_first ? jobs.size() - 1 - step : step];
    if (!chosen(job)) {
      continue;
    }
    for (const leg* side : {&job.from, &job.to}) {
      if (!side->reserved) {
        continue;
      }
      auto [found, added] = index_of.emplace(side->actor.address(), result.size());
      if (added) {
        result.push_back({side->actor, {}});
      }
      result[found->second].legs.push_back(job.transfer.id.value);
    }
  }
  return result;
}

// Tells the committed legs, then runs `answer`: once the legs on other nodes have taken
// their outcome in (or after a deadline: the account would then learn it from the
// database, see leg_claim). A message to an actor of this node is in its mailbox before
// the client can ask again, but one to another node travels on another link than the
// client's next request, which could otherwise read the balance before the transfer.
template <class Answer>
void settle_committed_legs(gateway_pointer self, const run_pointer& run, Answer answer) {
  auto waiting = std::make_shared<std::size_t>(1); // 1 until every leg is told
  auto answer_once = std::make_shared<Answer>(std::move(answer));
  auto one_done = [waiting, answer_once] {
    if (--*waiting == 0) {
      (*answer_once)();
    }
  };
  auto accepted = [](const transfer_job& job) { return job.accepted(); };
  for (auto& told : legs_by_actor(run->jobs, false, accepted)) {
    if (told.actor.node() == self->node()) {
      self->anon_send(told.actor, settle_legs_atom::value, std::move(told.legs), true);
      continue;
    }
    ++*waiting;
    self->request(told.actor, std::chrono::seconds{2}, settle_legs_atom::value,
                  std::move(told.legs), true)
      .then([one_done] { one_done(); }, [one_done](caf::error&) { one_done(); });
  }
  one_done();
}

// Releases the legs of `jobs` that will not commit, newest first, so a debit that
// spent a credit promised earlier in the batch is released before that credit.
void release_legs(gateway_pointer self, std::vector<transfer_job>& jobs, bool all) {
  auto failed = [all](const transfer_job& job) { return all || !job.accepted(); };
  for (auto& released : legs_by_actor(jobs, true, failed)) {
    self->anon_send(released.actor, settle_legs_atom::value, std::move(released.legs), false);
  }
}

void conclude(gateway_pointer self, const run_pointer& run);
void reserve_next(gateway_pointer self, const run_pointer& run);

// A reservation that timed out may still have been made: release it, so the money is
// not held until a restart. Releasing a leg that was never reserved does nothing.
void release_unanswered(gateway_pointer self, const account_id& account,
                        std::vector<std::string> legs) {
  self->request(self->state.dependencies.accounts, entity_timeout, lookup_atom::value,
                account.value)
    .then(
      [self, legs](account_actor& actor, persistence::shard_fence&) {
        self->anon_send(actor, settle_legs_atom::value, legs, false);
      },
      [](caf::error&) {});
}

void end_optimistic_pass(gateway_pointer self, const run_pointer& run);
void reserve(gateway_pointer self, const run_pointer& run, std::size_t index);

// Accounts asked at once in the optimistic pass of a batch.
constexpr std::size_t optimistic_window = 64;

// Called when both legs of a job have answered (one by one: not the optimistic pass).
void job_done(gateway_pointer self, const run_pointer& run, std::size_t index) {
  auto& job = run->jobs[index];
  if (!job.accepted()) {
    release_job(self, job); // before the next job can count on its credit
  }
  reserve_next(self, run);
}

void reserve_world_leg(gateway_pointer self, const run_pointer& run, std::size_t index);

// A deposit's or withdrawal's world leg is still to be asked once the account's leg
// was accepted (it told the currency).
bool needs_world_leg(const transfer_job& job) {
  if (!job.from.world && !job.to.world) {
    return false;
  }
  const leg& world = job.from.world ? job.from : job.to;
  return !world.asked && job.accepted();
}

void leg_answered(gateway_pointer self, const run_pointer& run, std::size_t index) {
  auto& job = run->jobs[index];
  if (--job.outstanding > 0) {
    return;
  }
  if (needs_world_leg(job)) {
    reserve_world_leg(self, run, index);
    return;
  }
  job_done(self, run, index);
}

// A leg its account reserved: the job learns the account's tenant (and currency).
void mark_reserved(transfer_job& job, bool debit, const account_actor& actor,
                   const account_record& account, const persistence::shard_fence& fence) {
  auto& side = debit ? job.from : job.to;
  side.reserved = true;
  side.actor = actor;
  side.fence = fence;
  (debit ? job.transfer.from_tenant : job.transfer.to_tenant) = account.tenant;
  if (job.transfer.currency.empty()) {
    job.transfer.currency = account.currency;
  }
}

// Asks the account of one leg to reserve it; `debit` selects the side.
void reserve_leg(gateway_pointer self, const run_pointer& run, std::size_t index, bool debit,
                 const requester& who) {
  auto& job = run->jobs[index];
  ++job.outstanding;
  leg_request request{job.transfer, who, job.from.world, run->batch};
  auto on_accept = [self, run, index, debit](const account_actor& actor,
                                             const account_record& account,
                                             const persistence::shard_fence& fence) {
    mark_reserved(run->jobs[index], debit, actor, account, fence);
    leg_answered(self, run, index);
  };
  const auto& id = debit ? job.transfer.from_account : job.transfer.to_account;
  auto on_refusal = [self, run, index, debit, id](const failure& reason) {
    auto& job = run->jobs[index];
    auto& side = debit ? job.from : job.to;
    side.refusal = leg_failure(side, reason);
    if (reason.code == settle_errc::unavailable) {
      release_unanswered(self, id, {job.transfer.id.value});
    }
    leg_answered(self, run, index);
  };
  if (debit) {
    ask_entity<account_record>(self, self->state.dependencies.accounts, id, on_accept,
                               on_refusal, 0, debit_atom::value, std::move(request));
  } else {
    ask_entity<account_record>(self, self->state.dependencies.accounts, id, on_accept,
                               on_refusal, 0, credit_atom::value, std::move(request));
  }
}

// A deposit or withdrawal: the account's leg first, then the world account's leg in
// the currency the account answered with, asked with the system's own authority.
void reserve_world_leg(gateway_pointer self, const run_pointer& run, std::size_t index) {
  auto& job = run->jobs[index];
  bool deposit = job.from.world;
  auto& world = deposit ? job.from : job.to;
  world.asked = true;
  (deposit ? job.transfer.from_account : job.transfer.to_account) =
    world_account_id(job.transfer.currency);
  reserve_leg(self, run, index, deposit, requester{system_tenant, true, {}});
}

// Asks the legs of a valid job.
void reserve(gateway_pointer self, const run_pointer& run, std::size_t index) {
  auto& job = run->jobs[index];
  const auto& who = run->context->request.who;
  if (job.from.world || job.to.world) {
    reserve_leg(self, run, index, job.to.world, who); // the account's own leg
    return;
  }
  job.outstanding = 1; // held until both legs are asked
  reserve_leg(self, run, index, true, who);
  reserve_leg(self, run, index, false, who);
  leg_answered(self, run, index);
}

// The sequential pass: asks the next valid job, or concludes when none is left.
void reserve_next(gateway_pointer self, const run_pointer& run) {
  while (run->next < run->jobs.size() && run->jobs[run->next].invalid) {
    ++run->next;
  }
  if (run->next == run->jobs.size()) {
    conclude(self, run);
    return;
  }
  reserve(self, run, run->next++);
}

std::string render_answer(gateway_pointer self, const transfer_run& run, bool all_aborted) {
  const auto& renderer = *self->state.dependencies.renderer;
  if (run.shape == answer_shape::single) {
    const auto& job = run.jobs.front();
    return job.accepted() ? job.rendered : renderer.error(refusal_of(job));
  }
  std::vector<batch_result> results;
  results.reserve(run.jobs.size());
  for (const auto& job : run.jobs) {
    if (!job.accepted()) {
      results.emplace_back(refusal_of(job));
    } else if (all_aborted) {
      results.emplace_back(make_failure(settle_errc::batch_aborted,
                                        "another transfer of this atomic batch failed"));
    } else {
      results.emplace_back(job.rendered);
    }
  }
  return renderer.batch(results);
}

void conclude(gateway_pointer self, const run_pointer& run) {
  auto settled_at = now_milliseconds();
  bool any_refused = std::any_of(run->jobs.begin(), run->jobs.end(),
                                 [](const transfer_job& job) { return !job.accepted(); });
  bool abort_all = run->atomic && any_refused;
  persistence::write_set writes;
  writes.deadline = run->context->request.who.deadline;
  release_legs(self, run->jobs, abort_all);
  const auto& renderer = *self->state.dependencies.renderer;
  for (auto& job : run->jobs) {
    if (job.accepted() && !abort_all) {
      job.transfer.settled_at = settled_at;
      job.rendered = renderer.transfer(job.transfer);
      writes.events.push_back(transfer_settled_event(job.transfer, job.rendered));
      writes.transfers.push_back(job.transfer);
      guard_leg(self, writes, job.from.actor, job.from.fence, job.transfer.id.value,
                job.transfer.from_account);
      guard_leg(self, writes, job.to.actor, job.to.fence, job.transfer.id.value,
                job.transfer.to_account);
    }
  }
  auto body = render_answer(self, *run, abort_all);
  if (writes.transfers.empty()) {
    unsigned status = run->shape == answer_shape::batch
                        ? 200
                        : renderer.status_of(refusal_of(run->jobs.front()).code);
    respond(self, run->context, status, std::move(body));
    return;
  }
  unsigned status = run->shape == answer_shape::batch ? 200 : 201;
  attach_answer(run->context, writes, status, body);
  self->request(self->state.dependencies.writer, caf::infinite, commit_atom::value,
                std::move(writes))
    .then(
      [self, run, status, body](bool) mutable {
        run->context->answer_stored = true;
        settle_committed_legs(self, run, [self, run, status, body]() mutable {
          respond(self, run->context, status, std::move(body));
        });
      },
      [self, run](caf::error& error) {
        release_legs(self, run->jobs, true);
        respond_failure(self, run->context, to_failure(error));
      });
}

transfer_job make_job(const create_transfer_command& command, transfer_kind kind) {
  transfer_job job;
  auto& transfer = job.transfer;
  transfer.id = transfer_id{generate_id("trf_")};
  transfer.kind = kind;
  transfer.from_account = command.from_account;
  transfer.to_account = command.to_account;
  transfer.amount = command.amount;
  transfer.currency = command.currency;
  transfer.description = command.description;
  transfer.created_at = now_milliseconds();
  job.from.param = "from_account";
  job.to.param = "to_account";
  return job;
}

// Clients move money between their accounts; the world accounts only take part in
// deposits and withdrawals.
void refuse_world_accounts(transfer_job& job) {
  for (auto* side : {&job.from, &job.to}) {
    const auto& id = side == &job.from ? job.transfer.from_account : job.transfer.to_account;
    if (!job.invalid && id.value.rfind("acc_world_", 0) == 0) {
      job.invalid = make_failure(settle_errc::not_found, "no such account", side->param);
    }
  }
}

// A transfer's two legs are asked at once, each checking the currency the transfer names:
// without one (the ingress always requires it), two currencies could meet.
void require_currency(transfer_job& job) {
  if (!job.invalid && job.transfer.currency.empty()) {
    job.invalid = make_failure(settle_errc::missing_parameter, "currency is required", "currency");
  }
}

void start(gateway_pointer self, const run_pointer& run) {
  reserve_next(self, run);
}

// A refusal that another transfer of the same batch could have caused or prevented.
bool may_depend_on_batch(const transfer_job& job) {
  for (const leg* side : {&job.from, &job.to}) {
    if (side->refusal) {
      auto code = side->refusal->code;
      if (code == settle_errc::insufficient_funds || code == settle_errc::amount_too_large
          || code == settle_errc::unavailable) {
        return true;
      }
    }
  }
  return false;
}

void end_optimistic_pass(gateway_pointer self, const run_pointer& run) {
  if (std::none_of(run->jobs.begin(), run->jobs.end(), may_depend_on_batch)) {
    conclude(self, run);
    return;
  }
  release_legs(self, run->jobs, true); // sent before any leg of the next pass
  run->jobs = std::move(run->pristine);
  run->batch = generate_id("bat_");
  run->next = 0;
  reserve_next(self, run);
}

void group_done(gateway_pointer self, const run_pointer& run);

// Every leg of a group refused at once: its account is unknown, invisible, or did not
// answer (then its legs may have been reserved after all, and are released).
void refuse_group(gateway_pointer self, const run_pointer& run, const leg_group& group,
                  const failure& reason) {
  std::vector<std::string> legs;
  for (std::size_t position = 0; position < group.jobs.size(); ++position) {
    auto& job = run->jobs[group.jobs[position]];
    auto& side = group.debits[position] ? job.from : job.to;
    side.refusal = leg_failure(side, reason);
    legs.push_back(job.transfer.id.value);
  }
  if (reason.code == settle_errc::unavailable) {
    release_unanswered(self, group.account, std::move(legs));
  }
}

// Asks one account for all of the pass's legs at it, in the order of their jobs.
void reserve_group(gateway_pointer self, const run_pointer& run, std::size_t index) {
  const auto& group = run->groups[index];
  std::vector<leg_request> legs;
  legs.reserve(group.jobs.size());
  for (std::size_t position = 0; position < group.jobs.size(); ++position) {
    const auto& job = run->jobs[group.jobs[position]];
    auto kind = group.debits[position] ? leg_kind::debit : leg_kind::credit;
    legs.push_back(leg_request{job.transfer, run->context->request.who, false, {}, kind, 0});
  }
  auto on_answer = [self, run, index](const account_actor& actor, leg_group_answer& answer,
                                      const persistence::shard_fence& fence) {
    const auto& group = run->groups[index];
    if (answer.refusals.size() != group.jobs.size()) { // not this build's account
      refuse_group(self, run, group, make_failure(settle_errc::unavailable, "malformed answer"));
      group_done(self, run);
      return;
    }
    for (std::size_t position = 0; position < group.jobs.size(); ++position) {
      auto& job = run->jobs[group.jobs[position]];
      bool debit = group.debits[position];
      if (auto& refusal = answer.refusals[position]) {
        auto& side = debit ? job.from : job.to;
        side.refusal = leg_failure(side, to_failure(refusal));
      } else {
        mark_reserved(job, debit, actor, answer.account, fence);
      }
    }
    group_done(self, run);
  };
  auto on_refusal = [self, run, index](const failure& reason) {
    refuse_group(self, run, run->groups[index], reason);
    group_done(self, run);
  };
  ask_entity<leg_group_answer>(self, self->state.dependencies.accounts, group.account, on_answer,
                               on_refusal, 0, reserve_legs_atom::value, std::move(legs));
}

// Asks the next groups of the optimistic pass until the window is full, and ends the pass
// once every group was asked and has answered.
void fill_window(gateway_pointer self, const run_pointer& run) {
  while (run->in_window < optimistic_window && run->next_group < run->groups.size()) {
    ++run->in_window;
    reserve_group(self, run, run->next_group++); // answers later
  }
  if (run->next_group == run->groups.size() && run->in_window == 0) {
    end_optimistic_pass(self, run);
  }
}

void group_done(gateway_pointer self, const run_pointer& run) {
  --run->in_window;
  fill_window(self, run);
}

// The legs of the valid jobs, grouped by account in the order the accounts first appear.
std::vector<leg_group> group_legs(const std::vector<transfer_job>& jobs) {
  std::vector<leg_group> groups;
  std::unordered_map<std::string, std::size_t> group_of;
  for (std::size_t index = 0; index < jobs.size(); ++index) {
    const auto& job = jobs[index];
    if (job.invalid) {
      continue;
    }
    for (bool debit : {true, false}) {
      const auto& account = debit ? job.transfer.from_account : job.transfer.to_account;
      auto [found, added] = group_of.emplace(account.value, groups.size());
      if (added) {
        groups.push_back({account, {}, {}});
      }
      groups[found->second].jobs.push_back(index);
      groups[found->second].debits.push_back(debit);
    }
  }
  return groups;
}

void start_batch(gateway_pointer self, const run_pointer& run) {
  if (run->jobs.empty()) {
    conclude(self, run);
    return;
  }
  run->pristine = run->jobs;
  run->groups = group_legs(run->jobs);
  run->next_group = 0;
  run->in_window = 0;
  run->batch.clear(); // nothing promised within the batch is spent in this pass
  fill_window(self, run);
}

} // namespace

void run_transfer(gateway_pointer self, const context_pointer& context,
                  const create_transfer_command& command) {
  auto run = std::make_shared<transfer_run>();
  run->context = context;
  run->jobs.push_back(make_job(command, transfer_kind::transfer));
  refuse_world_accounts(run->jobs.back());
  require_currency(run->jobs.back());
  start(self, run);
}

void run_external_movement(gateway_pointer self, const context_pointer& context,
                           const external_movement_command& command) {
  auto run = std::make_shared<transfer_run>();
  run->context = context;
  create_transfer_command transfer;
  transfer.amount = command.amount;
  (command.deposit ? transfer.to_account : transfer.from_account) = command.account_id;
  auto job = make_job(transfer, command.deposit ? transfer_kind::deposit : transfer_kind::withdrawal);
  (command.deposit ? job.from : job.to).world = true;
  job.from.param.clear(); // the account is named by the path, not by a field
  job.to.param.clear();
  refuse_world_accounts(job); // money does not move from a world account to itself
  run->jobs.push_back(std::move(job));
  start(self, run);
}

void run_batch(gateway_pointer self, const context_pointer& context,
               const transfer_batch_command& command) {
  auto run = std::make_shared<transfer_run>();
  run->context = context;
  run->atomic = command.atomic;
  run->shape = answer_shape::batch;
  for (const auto& item : command.items) {
    auto job = make_job(item.transfer, transfer_kind::transfer);
    job.invalid = item.invalid;
    refuse_world_accounts(job);
    require_currency(job);
    run->jobs.push_back(std::move(job));
  }
  start_batch(self, run);
}

} // namespace settle::gateway_detail
