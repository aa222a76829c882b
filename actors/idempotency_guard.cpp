// The idempotency guard knows which keys are being processed (in memory: a repeat gets
// `409 idempotency_key_in_use`) and which were answered (recently answered ones in a
// bounded cache, the rest in the database, where the answer was stored in the same
// transaction as its effect). One key, one effect.
#include "actors/idempotency_guard.hpp"

#include "domain/clock.hpp"

#include <caf/all.hpp>

#include <deque>
#include <unordered_map>
#include <unordered_set>

namespace settle {
namespace {

using persistence::idempotency_record;

// What a cached answer costs, roughly: its strings and the containers' own nodes.
std::size_t bytes_of(const std::string& slot, const idempotency_record& record) {
  constexpr std::size_t overhead = 160;
  return 2 * slot.size() + record.tenant.size() + record.key.size() + record.fingerprint.size()
         + record.body.size() + overhead;
}

struct cached_answer {
  idempotency_record record;
  std::size_t bytes = 0;
};

struct idempotency_guard_state {
  storage_reader_actor reader;
  config::idempotency_options options;
  std::unordered_set<std::string> in_flight;
  // Recently answered keys, bounded in bytes (oldest out first); older ones are read
  // back from the database.
  std::unordered_map<std::string, cached_answer> answers;
  std::deque<std::string> answer_order;
  std::size_t cached_bytes = 0;
  static inline const char* name = "idempotency_guard";
};

using guard_pointer = idempotency_guard_actor::stateful_pointer<idempotency_guard_state>;

std::string slot_of(const tenant_name& tenant, const std::string& key) {
  return tenant + '\n' + key;
}

void remember(idempotency_guard_state& state, const idempotency_record& record) {
  auto slot = slot_of(record.tenant, record.key);
  auto bytes = bytes_of(slot, record);
  auto [found, inserted] = state.answers.try_emplace(slot);
  if (inserted) {
    state.answer_order.push_back(slot);
  } else {
    state.cached_bytes -= found->second.bytes;
  }
  found->second = cached_answer{record, bytes};
  state.cached_bytes += bytes;
  while (state.cached_bytes > state.options.cache_bytes && !state.answer_order.empty()) {
    auto oldest = state.answers.find(state.answer_order.front());
    state.cached_bytes -= oldest->second.bytes;
    state.answers.erase(oldest);
    state.answer_order.pop_front();
  }
}

// A cached answer replayed only within the retention; an older one is asked of the
// database, which keeps it until the sweep deletes it.
const idempotency_record* cached(const idempotency_guard_state& state, const std::string& slot) {
  auto found = state.answers.find(slot);
  if (found == state.answers.end()) {
    return nullptr;
  }
  auto cutoff = now_milliseconds() - state.options.retention_seconds * 1000;
  return found->second.record.created_at < cutoff ? nullptr : &found->second.record;
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
  auto slot = slot_of(tenant, key);
  if (state.in_flight.count(slot) != 0) {
    return make_settle_error(settle_errc::idempotency_key_in_use,
                             "a request with this Idempotency-Key is still being processed");
  }
  if (const auto* answer = cached(state, slot)) {
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
        remember(self->state, stored);
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
  return {
    [self](claim_atom, const tenant_name& tenant, const std::string& key,
           const std::string& fingerprint) { return claim(self, tenant, key, fingerprint); },
    [self](release_atom, const idempotency_record& record) {
      self->state.in_flight.erase(slot_of(record.tenant, record.key));
      if (record.status != 0) {
        remember(self->state, record);
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
