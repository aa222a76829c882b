// The sweep: a batch, then at once the next while batches come back full, else a pause of
// one interval. A database failure drops the connection; the next sweep opens a new one.
#include "actors/idempotency_sweeper.hpp"
#include "domain/log.hpp"

#include "actors/messages.hpp"
#include "domain/clock.hpp"
#include "persistence/connection.hpp"
#include "persistence/idempotency_retention.hpp"

#include <caf/all.hpp>

#include <soci/soci.h>

#include <memory>

namespace settle {
namespace {

constexpr std::size_t sweep_batch = 1000;

struct sweeper_state {
  std::unique_ptr<soci::session> session;
  static inline const char* name = "idempotency_sweeper";
};

// Deletes one batch; true when the batch was full (more may wait).
bool sweep_once(sweeper_state& state, const persistence::storage_url& url,
                std::chrono::seconds retention) {
  try {
    if (!state.session) {
      state.session = persistence::open_session(url);
    }
    auto cutoff = now_milliseconds() - std::chrono::milliseconds{retention}.count();
    return persistence::delete_idempotency_records_before(*state.session, cutoff, sweep_batch)
           == sweep_batch;
  } catch (const persistence::storage_error& error) {
    log_line(log_level::warning, "the idempotency sweep failed", {{"error", error.what()}});
    state.session.reset();
    return false;
  }
}

caf::behavior idempotency_sweeper(caf::stateful_actor<sweeper_state>* self,
                                  persistence::storage_url url, std::chrono::seconds retention,
                                  std::chrono::seconds interval) {
  self->send(self, sweep_atom::value);
  return {
    [self, url, retention, interval](sweep_atom) {
      if (sweep_once(self->state, url, retention)) {
        self->send(self, sweep_atom::value); // after any other message, such as an exit
      } else {
        self->delayed_send(self, interval, sweep_atom::value);
      }
    },
  };
}

} // namespace

caf::actor spawn_idempotency_sweeper(caf::actor_system& system, const persistence::storage_url& url,
                                     std::chrono::seconds retention, std::chrono::seconds interval) {
  return system.spawn<caf::detached>(idempotency_sweeper, url, retention, interval);
}

} // namespace settle
