// The idempotency guard knows which keys are being processed (in memory: a repeat gets
// `409 idempotency_key_in_use`) and which were answered (recently answered ones in a
// bounded cache, the rest in the database, where the answer was stored in the same
// transaction as its effect). One key, one effect.
#include "actors/idempotency_guard.hpp"

#include "actors/answer_cache.hpp"
#include "domain/clock.hpp"

#include <caf/all.hpp>

#include <unordered_set>

namespace settle {
namespace {

using persistence::idempotency_record;

struct idempotency_guard_state {
  storage_reader_actor reader;
  config::idempotency_options options;
  std::unordered_set<std::string> in_flight;
  // Recently answered keys (sized from the options at spawn); older ones are read back
  // from the database.
  answer_cache answers{0};
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

// The stored answer when the request is the same, else `idempotency_key_reused`.
caf::result<idempotency_record> replay_or_refuse(const idempotency_record& stored,
                                                 const std::string& fingerprint) {
  if (stored.fingerprint != fingerprint) {
    return make_settle_error(settle_errc::idempotency_key_reused,
                             "this Idempotency-Key was used with a different request");
  }
  return stored;
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
  auto promise = self->make_response_promise<idempotency_record>();
  // No timeout: the reader is on this node (see timeout_for in entity_request.hpp).
  self->request(state.reader, caf::infinite, load_atom::value,
                idempotency_tag_atom::value, tenant, key)
    .then(
      [self, promise, slot, fingerprint](idempotency_record& stored) mutable {
        if (stored.status == 0) {
          promise.deliver(idempotency_record{}); // proceed; the key stays in flight
          return;
        }
        self->state.in_flight.erase(slot);
        self->state.answers.remember(stored);
        if (stored.fingerprint != fingerprint) {
          promise.deliver(make_settle_error(
            settle_errc::idempotency_key_reused,
            "this Idempotency-Key was used with a different request"));
          return;
        }
        promise.deliver(stored);
      },
      [self, promise, slot](caf::error& error) mutable {
        self->state.in_flight.erase(slot);
        promise.deliver(std::move(error));
      });
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
