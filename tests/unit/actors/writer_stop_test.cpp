// A node stopped while the database cannot tell whether a commit landed (the answer to
// COMMIT was lost, and the database stays away): the writer stops waiting, answers the
// group's requests that their outcome is unknown (not that nothing was applied), and
// commits nothing more, since the actors' money in memory may no longer match the
// database. Before, the writer waited for ever and SIGTERM never finished the node.
#include "actors/ledger_writer.hpp"
#include "actors/messages.hpp"
#include "persistence/connection.hpp"

#include <caf/all.hpp>
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <thread>

namespace {

using settle::persistence::event_record;
using settle::persistence::write_set;

// A database whose answer to the first COMMIT is lost and which is never reached again.
class database_gone_after_commit final : public settle::persistence::commit_store {
public:
  void begin(const std::vector<const write_set*>&, const ordinal_assigner&) override {}
  void send_commit() override { ++commits; }
  std::vector<event_record> await_commit() override {
    throw settle::persistence::ambiguous_commit{"test: the connection closed during COMMIT"};
  }
  void roll_back() noexcept override {}
  void reconnect() override { throw settle::persistence::storage_error{"test: unreachable"}; }
  std::optional<std::vector<event_record>> outcome_of_last_group(std::int64_t) override {
    ++outcome_questions;
    throw settle::persistence::storage_error{"test: unreachable"};
  }
  bool abandon_leg(const settle::persistence::leg_claim&) override {
    throw settle::persistence::storage_error{"test: unreachable"};
  }

  std::atomic<int> commits{0};
  std::atomic<int> outcome_questions{0};
};

// How the writer refused a commit; nothing when it committed.
std::optional<settle::settle_errc> commit_refusal(caf::scoped_actor& self,
                                                 const settle::ledger_writer_actor& writer) {
  bool answered = false;
  std::optional<settle::settle_errc> refusal;
  self->request(writer, std::chrono::seconds{30}, settle::commit_atom::value, write_set{})
    .receive([&](bool) { answered = true; },
             [&](caf::error& error) {
               // The writer's own answer, not CAF's timeout (also `unavailable`).
               answered = error.category() == settle::settle_error_category;
               refusal = settle::to_failure(error).code;
             });
  REQUIRE(answered);
  return refusal;
}

} // namespace

TEST_CASE("a node that stops while a commit's outcome is unknown stops, and commits nothing more",
          "[actors][writer]") {
  caf::actor_system_config config;
  caf::actor_system system{config};
  auto store = std::make_shared<database_gone_after_commit>();
  auto stopping = std::make_shared<std::atomic<bool>>(false);
  settle::writer_placement placement{0, 0, false, -1, stopping};
  auto writer = settle::spawn_ledger_writer(system, {store}, settle::config::storage_options{},
                                            placement, settle::event_hub_actor{},
                                            settle::writer_thread::own);
  caf::scoped_actor self{system};
  std::thread stop_later([&] {
    // The writer keeps asking the database, as long as the node runs.
    while (store->outcome_questions < 3) {
      std::this_thread::sleep_for(std::chrono::milliseconds{10});
    }
    stopping->store(true);
  });
  CHECK(commit_refusal(self, writer) == settle::settle_errc::internal_error);
  stop_later.join();
  CHECK(commit_refusal(self, writer) == settle::settle_errc::unavailable);
  CHECK(store->commits == 1);
  self->send_exit(writer, caf::exit_reason::user_shutdown);
}
