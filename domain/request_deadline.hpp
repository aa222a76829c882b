// A request's deadline, carried by everything done for it, so that a request answered
// `503` for taking too long is provably never applied.
//
// On the node that serves the connection, the session and the ledger writer race for the
// request's commit gate: the session closes it when the request timeout passes, the
// writer opens it when it begins the first commit of the request's work. Whoever is
// first decides: a closed gate means the writer commits nothing of it and the session
// answers 503; an opened one means the session waits for the commit's real outcome.
// The gate does not travel to another node (it is shared memory); there the writer
// begins no commit after `not_after`, the same instant on a clock of the cluster.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

namespace settle {

class commit_gate {
 public:
  // The session's side: true if no commit of the request had begun; none will now.
  bool close() noexcept {
    int expected = open;
    return state_.compare_exchange_strong(expected, closed) || expected == closed;
  }

  // The writer's side: true if the request may be committed; close() fails from now on.
  bool begin_commit() noexcept {
    int expected = open;
    return state_.compare_exchange_strong(expected, committing) || expected == committing;
  }

 private:
  enum gate_state : int { open, closed, committing };
  std::atomic<int> state_{open};
};

struct request_deadline {
  std::int64_t not_after = 0;        // milliseconds since the epoch; 0: no deadline
  std::shared_ptr<commit_gate> gate; // on the serving node only

  // Whether the writer may begin committing work of this request at `now`.
  bool may_begin_commit(std::int64_t now) const {
    if (gate) {
      return gate->begin_commit();
    }
    return not_after == 0 || now <= not_after;
  }
};

} // namespace settle
