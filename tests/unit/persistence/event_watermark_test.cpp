// The event log's order without a cluster-wide commit lock (migration 14), step by step on
// a real PostgreSQL with one session per writer: a reader never returns an event while an
// event numbered below it may still commit, so resuming after the last event read never
// skips one; a transaction that rolls back holds nothing up; numbers of two writers
// follow the order in which they numbered.
#include "persistence/connection.hpp"
#include "persistence/migrations.hpp"
#include "persistence/store_reader.hpp"
#include "tests/unit/support/test_database.hpp"

#include <catch2/catch.hpp>
#include <soci/soci.h>

#include <memory>
#include <string>
#include <vector>

namespace {

using settle::persistence::event_query;
using settle::persistence::store_reader;

// A writer's transaction, as the ledger store's cluster path writes events: numbered
// after everything else, by settle_number_events, with the seqs it gives.
class writer_transaction {
public:
  explicit writer_transaction(const settle::persistence::storage_url& url)
    : session_(settle::persistence::open_session(url)) {
    *session_ << "BEGIN";
  }

  // Numbers `count` events and inserts them; returns their seqs.
  std::vector<std::int64_t> write_events(int count) {
    long long first = 0;
    *session_ << "SELECT settle_number_events(" + std::to_string(count) + ")", soci::into(first);
    std::vector<std::int64_t> seqs;
    for (int index = 0; index < count; ++index) {
      long long seq = first + index;
      *session_ << "INSERT INTO events (seq, name, tenants, topics, object, at, tenant)"
                   " VALUES (:seq, 'account.updated', ' acme ', ' acc_test ', '{}', 0, 'acme')",
        soci::use(seq);
      seqs.push_back(seq);
    }
    return seqs;
  }

  void commit() { *session_ << "COMMIT"; }
  void roll_back() { *session_ << "ROLLBACK"; }

private:
  std::unique_ptr<soci::session> session_;
};

std::vector<std::int64_t> seqs_read(store_reader& reader, std::int64_t after) {
  std::vector<std::int64_t> seqs;
  for (const auto& event : reader.list_events(event_query{{}, after, 100}).events) {
    seqs.push_back(event.seq);
  }
  return seqs;
}

std::vector<std::int64_t> joined(std::vector<std::int64_t> first,
                                 const std::vector<std::int64_t>& second) {
  first.insert(first.end(), second.begin(), second.end());
  return first;
}

void readers_wait_for_the_lowest_uncommitted_number(
  const settle::testing::test_database& database) {
  auto url = database.url();
  settle::persistence::migrate(*settle::persistence::open_session(url), url.kind, {"USD"});
  store_reader reader{url};
  const auto before = reader.largest_event_seq();

  writer_transaction slow{url};
  writer_transaction fast{url};
  const auto slow_seqs = slow.write_events(2);
  const auto fast_seqs = fast.write_events(3);
  REQUIRE(fast_seqs.front() > slow_seqs.back()); // numbered later, numbered higher
  fast.commit();
  // The fast writer's events are committed, but one numbered below them may still
  // commit: a reader that returned them would resume past it.
  CHECK(seqs_read(reader, before) == std::vector<std::int64_t>{});
  CHECK(reader.largest_event_seq() == before);

  slow.commit();
  CHECK(seqs_read(reader, before) == joined(slow_seqs, fast_seqs));
  CHECK(reader.largest_event_seq() == fast_seqs.back());

  // A writer that rolls back leaves a gap in the numbers and holds nothing up.
  writer_transaction abandoned{url};
  const auto abandoned_seqs = abandoned.write_events(1);
  writer_transaction next{url};
  const auto next_seqs = next.write_events(1);
  next.commit();
  CHECK(seqs_read(reader, fast_seqs.back()) == std::vector<std::int64_t>{});
  abandoned.roll_back();
  CHECK(seqs_read(reader, fast_seqs.back()) == next_seqs);
  CHECK(next_seqs.front() > abandoned_seqs.front());
}

} // namespace

TEST_CASE("the event log is read only below the lowest number a writer may still commit, on "
          "PostgreSQL",
          "[store_reader][postgresql]") {
  settle::testing::run_on_postgresql(readers_wait_for_the_lowest_uncommitted_number);
}
