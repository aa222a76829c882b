// What a PostgreSQL test database's sessions hold: the owner's and the writers' locks
// are advisory locks, which a test can only see in pg_locks.
#pragma once

#include <cstdint>

namespace soci {
class session;
}

namespace settle::testing {

// How many advisory locks the sessions of `session`'s database hold (others' databases
// on the same server are not counted: tests run side by side).
std::int64_t advisory_locks_held(soci::session& session);

// Takes one lock and lets it go, `rounds` times: `take()` returns what holds it, and
// destroying that lets go. Counts the rounds after which `watcher` still saw it held. A
// server process ends a moment after its connection closed, so many rounds make a lock
// that is only dropped with its connection show.
template <class Take>
int rounds_held_after_letting_go(soci::session& watcher, int rounds, Take take) {
  int held = 0;
  for (int round = 0; round < rounds; ++round) {
    auto holder = take();
    if (advisory_locks_held(watcher) != 1) {
      return -1; // not taken: nothing here to let go
    }
    holder.reset();
    if (advisory_locks_held(watcher) != 0) {
      ++held;
    }
  }
  return held;
}

} // namespace settle::testing
