// Stopping a node while an entity awaits its commit: the writer commits and answers what
// it was asked before its exit, so the entity can take its own exit and the node stops.
// (CAF 0.17 drops an undelivered promise silently; an actor awaiting it skips every other
// message, its exit included, and the node would never finish stopping.)
#include "tests/unit/support/temporary_directory.hpp"
#include "tests/unit/support/test_node.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <exception>
#include <future>
#include <memory>
#include <thread>

namespace {

using settle::requester;
using settle::testing::test_node;

const requester acme{"acme", false, {}};

// Starts a node, renames the user, and stops the node before the rename's commit window
// has passed, all on a thread of its own: a CAF 0.17 system is stopped on the thread that
// started it. The future holds whether the rename was still unanswered when the node
// stopped; a node that never stops leaves it unset (and its thread stuck).
std::future<bool> rename_while_stopping(const settle::config::node_options& options,
                                        const std::string& user, const std::string& name) {
  auto outcome = std::make_shared<std::promise<bool>>();
  auto future = outcome->get_future();
  std::thread([options, user, name, outcome] {
    try {
      bool unanswered = false;
      {
        test_node node{options};
        settle::user_changes changes;
        changes.has_name = true;
        changes.name = name;
        auto answer = node.send(acme, settle::update_user_command{user, changes});
        // The user's actor is loaded, then the rename is three messages from the writer:
        // 200 ms covers them on a busy machine, well inside the commit window.
        auto loaded_by = std::chrono::steady_clock::now() + std::chrono::seconds{10};
        while (settle::testing::actors_gauge("user") < 1 &&
               std::chrono::steady_clock::now() < loaded_by) {
          std::this_thread::sleep_for(std::chrono::milliseconds{10});
        }
        std::this_thread::sleep_for(std::chrono::milliseconds{200});
        unanswered = answer.wait_for(std::chrono::seconds{0}) == std::future_status::timeout;
      }
      outcome->set_value(unanswered);
    } catch (...) {
      outcome->set_exception(std::current_exception());
    }
  }).detach();
  return future;
}

} // namespace

TEST_CASE("a node stopped while a user awaits its commit stops, and the commit is made",
          "[actors][node]") {
  settle::testing::temporary_directory directory;
  auto options = settle::testing::sqlite_node_options(directory.file("settle.db"));
  std::string user;
  {
    test_node node{options};
    user = settle::testing::create_user(node, acme);
  }

  // A long commit window keeps the rename waiting at the writer while the node stops.
  auto slow_commits = options;
  slow_commits.storage.commit_window_microseconds = 3'000'000;
  auto stopped = rename_while_stopping(slow_commits, user, "Renamed while stopping");
  REQUIRE(stopped.wait_for(std::chrono::seconds{30}) == std::future_status::ready);
  REQUIRE(stopped.get());

  test_node restarted{options};
  auto answer = restarted.execute(acme, settle::get_user_command{user});
  REQUIRE(answer.status == 200);
  CHECK(settle::testing::text_of(settle::testing::body_of(answer), "name") ==
        "Renamed while stopping");
}
