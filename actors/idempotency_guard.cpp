// The idempotency guard knows which keys are being processed (in memory: a repeat gets
// `409 idempotency_key_in_use`) and which were answered (recently answered ones in a
// bounded cache, the rest in the database, where the answer was stored in the same
// transaction as its effect). One key, one effect.
#include "actors/idempotency_guard.hpp"

#include "actors/answer_cache.hpp"
#include "domain/clock.hpp"
#include "domain/metrics.hpp"

#include <caf/all.hpp>

#include <deque>
#include <memory>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace settle {
namespace {

using persistence::idempotency_record;

// How many keys one lookup asks at most; claims beyond it wait for the next lookup.
constexpr std::size_t keys_per_lookup = 256;

// A claim whose key is being asked of the database. The key is in flight meanwhile.
struct pending_claim {
  idempotency_record wanted; // its tenant and key
  std::string slot;          // idempotency_slot of the two
  std::string fingerprint;
  caf::typed_response_promise<idempotency_record> promise;
};

struct idempotency_guard_state {
  storage_reader_actor reader;
  config::idempotency_options options;
  std::unordered_set<std::string> in_flight;
  // Recently answered keys (sized from the options at spawn); older ones are read back
  // from the database.
  answer_cache answers{0};
  // Keys new to the cache are asked of the database one lookup at a time; the claims
  // that arrive meanwhile wait here and go together in the next lookup (as write sets
  // wait for the ledger writer's next group), so that a busy node pays one round trip
  // for many claims. Bounded by the gateway's limit of requests in flight.
  std::deque<pending_claim> waiting;
  bool looking_up = false;
  static inline const char* name = "idempotency_guard";
};

using guard_pointer = idempotency_guard_actor::stateful_pointer<idempotency_guard_state>;

// A cached answer replayed only within the retention; an older one is asked of the
// database, which keeps it until the sweep deletes it.
const idempotency_record* cached(const idempotency_guard_state& state, const tenant_name& tenant,
                                 const std::string& key) {
  const auto* found = state.answers.find(tenant, key);
  auto cutoff = now_milliseconds() - state.options.retention_seconds * 1000;
  return found == nullptr || found->created_at < cutoff ? nullptr : found;
}

caf::error key_reused() {
  return make_settle_error(settle_errc::idempotency_key_reused,
                           "this Idempotency-Key was used with a different request");
}

// The stored answer when the request is the same, else `idempotency_key_reused`.
caf::result<idempotency_record> replay_or_refuse(const idempotency_record& stored,
                                                 const std::string& fingerprint) {
  if (stored.fingerprint != fingerprint) {
    return key_reused();
  }
  return stored;
}

// The database's answer for one claim: no stored answer (`stored` null) lets the request
// proceed with its key in flight; a stored one ends the claim and is replayed or refused.
void conclude_claim(guard_pointer self, pending_claim& claim, const idempotency_record* stored) {
  if (stored == nullptr) {
    claim.promise.deliver(idempotency_record{});
    return;
  }
  self->state.in_flight.erase(claim.slot);
  self->state.answers.remember(*stored);
  if (stored->fingerprint != claim.fingerprint) {
    claim.promise.deliver(key_reused());
    return;
  }
  claim.promise.deliver(*stored);
}

void answer_lookup(guard_pointer self, std::vector<pending_claim>& claims,
                   const std::vector<idempotency_record>& stored) {
  std::unordered_map<std::string, const idempotency_record*> stored_by_slot;
  for (const auto& record : stored) {
    stored_by_slot.emplace(idempotency_slot(record.tenant, record.key), &record);
  }
  for (auto& claim : claims) {
    auto found = stored_by_slot.find(claim.slot);
    conclude_claim(self, claim, found == stored_by_slot.end() ? nullptr : found->second);
  }
}

void fail_lookup(guard_pointer self, std::vector<pending_claim>& claims, const caf::error& error) {
  for (auto& claim : claims) {
    self->state.in_flight.erase(claim.slot);
    claim.promise.deliver(error);
  }
}

// Asks the database for the waiting claims' keys (up to keys_per_lookup), unless a
// lookup is under way: its answer starts the next one.
void look_up_waiting(guard_pointer self) {
  auto& state = self->state;
  if (state.looking_up || state.waiting.empty()) {
    return;
  }
  auto claims = std::make_shared<std::vector<pending_claim>>();
  std::vector<idempotency_record> wanted;
  while (!state.waiting.empty() && claims->size() < keys_per_lookup) {
    wanted.push_back(state.waiting.front().wanted);
    claims->push_back(std::move(state.waiting.front()));
    state.waiting.pop_front();
  }
  state.looking_up = true;
  metrics_registry::instance().observe_idempotency_lookup(wanted.size());
  auto next = [self] {
    self->state.looking_up = false;
    look_up_waiting(self);
  };
  // No timeout: the reader is on this node (see timeout_for in entity_request.hpp).
  self->request(state.reader, caf::infinite, load_atom::value, idempotency_tag_atom::value,
                std::move(wanted))
    .then(
      [self, claims, next](std::vector<idempotency_record>& stored) {
        answer_lookup(self, *claims, stored);
        next();
      },
      [self, claims, next](caf::error& error) {
        fail_lookup(self, *claims, error);
        next();
      });
}

caf::result<idempotency_record> claim(guard_pointer self, const tenant_name& tenant,
                                      const std::string& key, const std::string& fingerprint) {
  auto& state = self->state;
  auto slot = idempotency_slot(tenant, key);
  if (state.in_flight.count(slot) != 0) {
    return make_settle_error(settle_errc::idempotency_key_in_use,
                             "a request with this Idempotency-Key is still being processed");
  }
  if (const auto* answer = cached(state, tenant, key)) {
    return replay_or_refuse(*answer, fingerprint);
  }
  state.in_flight.insert(slot);
  pending_claim waiting;
  waiting.wanted.tenant = tenant;
  waiting.wanted.key = key;
  waiting.slot = std::move(slot);
  waiting.fingerprint = fingerprint;
  waiting.promise = self->make_response_promise<idempotency_record>();
  auto promise = waiting.promise;
  state.waiting.push_back(std::move(waiting));
  look_up_waiting(self);
  return promise;
}

idempotency_guard_actor::behavior_type idempotency_guard(guard_pointer self,
                                                         storage_reader_actor reader,
                                                         config::idempotency_options options) {
  self->state.reader = std::move(reader);
  self->state.options = options;
  self->state.answers = answer_cache{options.cache_bytes};
  return {
    [self](claim_atom, const tenant_name& tenant, const std::string& key,
           const std::string& fingerprint) { return claim(self, tenant, key, fingerprint); },
    [self](release_atom, const idempotency_record& record) {
      self->state.in_flight.erase(idempotency_slot(record.tenant, record.key));
      if (record.status != 0) {
        self->state.answers.remember(record);
      }
    },
  };
}

} // namespace

idempotency_guard_actor spawn_idempotency_guard(caf::actor_system& system,
                                                storage_reader_actor reader,
                                                const config::idempotency_options& options) {
  return system.spawn(idempotency_guard, std::move(reader), options);
}

} // namespace settle
