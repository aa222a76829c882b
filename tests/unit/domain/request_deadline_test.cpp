#include "domain/request_deadline.hpp"

#include <catch2/catch.hpp>

#include <thread>
#include <vector>

using settle::commit_gate;
using settle::request_deadline;

TEST_CASE("a closed gate lets no commit begin, and a begun commit cannot be closed", "[deadline]") {
  commit_gate closed_first;
  CHECK(closed_first.close());
  CHECK_FALSE(closed_first.begin_commit());
  CHECK(closed_first.close()); // the session asks once; asking again changes nothing

  commit_gate begun_first;
  CHECK(begun_first.begin_commit());
  CHECK(begun_first.begin_commit()); // a request's later write sets commit too
  CHECK_FALSE(begun_first.close());
}

TEST_CASE("exactly one side wins the gate when both race", "[deadline]") {
  for (int round = 0; round < 2000; ++round) {
    commit_gate gate;
    bool closed = false;
    bool begun = false;
    std::thread session([&] { closed = gate.close(); });
    std::thread writer([&] { begun = gate.begin_commit(); });
    session.join();
    writer.join();
    REQUIRE(closed != begun);
  }
}

TEST_CASE("without a gate the writer begins no commit after the deadline", "[deadline]") {
  request_deadline none;
  CHECK(none.may_begin_commit(1'000'000));
  request_deadline remote{5'000, nullptr};
  CHECK(remote.may_begin_commit(4'999));
  CHECK(remote.may_begin_commit(5'000));
  CHECK_FALSE(remote.may_begin_commit(5'001));
  // With a gate, the gate alone decides: a request whose commit began keeps committing.
  request_deadline local{5'000, std::make_shared<commit_gate>()};
  CHECK(local.may_begin_commit(4'000));
  CHECK(local.may_begin_commit(9'000));
}
