// Lease and membership statements. Each is one autocommitted statement, so a lease
// changes hands atomically and a node that dies mid-way leaves nothing half done.
#include "persistence/lease_store.hpp"

#include "persistence/connection.hpp"
#include "persistence/row_reading.hpp"
#include "persistence/text_query.hpp"

#include <soci/soci.h>

namespace settle::persistence {
namespace {

// The database's clock, in milliseconds: the one clock every node agrees on.
constexpr const char* database_now = "CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)";

// A member whose heartbeat is older than this gives its slot to a newcomer.
constexpr std::int64_t forgotten_after_milliseconds = 60000;

constexpr std::int64_t slot_count = 16;

template <class Work>
auto guarded(Work work) {
  try {
    return work();
  } catch (const storage_error&) {
    throw;
  } catch (const std::exception& error) {
    throw storage_error{error.what()};
  }
}

} // namespace

lease_store::lease_store(const storage_url& url, std::uint32_t shard_count,
                         std::int64_t lease_milliseconds)
    : url_(url)
    , shard_count_(shard_count)
    , lease_milliseconds_(lease_milliseconds) {
  open();
}

lease_store::~lease_store() = default;

void lease_store::open() {
  session_ = open_session(url_);
  // A lease row locked by the commit of a paused node must not stall the heartbeat.
  *session_ << "SET lock_timeout = 1000";
}

void lease_store::reconnect() {
  session_.reset();
  open();
}

std::int64_t lease_store::join(const std::string& node_id, const std::string& address) {
  return guarded([&] {
    soci::transaction transaction{*session_};
    long long last_shard = static_cast<long long>(shard_count_) - 1;
    *session_ << "INSERT INTO shard_leases (shard, owner, epoch, expires_at) SELECT s, NULL, 0, 0"
                 " FROM generate_series(0, CAST(:last AS BIGINT)) AS s ON CONFLICT DO NOTHING",
        soci::use(last_shard, "last");
    *session_ << "LOCK TABLE cluster_members IN EXCLUSIVE MODE";
    long long forgotten_after = forgotten_after_milliseconds;
    *session_ << std::string{"DELETE FROM cluster_members WHERE heartbeat_at < "} + database_now +
                     " - CAST(:forgotten_after AS BIGINT) AND node_id <> :node",
        soci::use(forgotten_after, "forgotten_after"), soci::use(node_id, "node");
    long long slot = -1;
    soci::indicator indicator = soci::i_null;
    *session_ << "SELECT slot FROM cluster_members WHERE node_id = :node",
        soci::use(node_id, "node"), soci::into(slot, indicator);
    if (indicator != soci::i_ok) {
      long long last_slot = slot_count - 1;
      *session_ << "SELECT MIN(s) FROM generate_series(0, CAST(:last AS BIGINT)) AS s"
                   " WHERE s NOT IN (SELECT slot FROM cluster_members)",
          soci::use(last_slot, "last"), soci::into(slot, indicator);
      if (indicator != soci::i_ok) {
        throw storage_error{"the cluster has no free node slot (at most 16 nodes)"};
      }
      *session_ << "INSERT INTO cluster_members (node_id, slot, address, state, heartbeat_at)"
                   " VALUES (:node, :slot, :address, 'up', " + std::string{database_now} + ")",
          soci::use(node_id, "node"), soci::use(slot, "slot"), soci::use(address, "address");
    } else {
      *session_ << "UPDATE cluster_members SET address = :address, state = 'up', heartbeat_at = "
                       + std::string{database_now} + " WHERE node_id = :node",
          soci::use(address, "address"), soci::use(node_id, "node");
    }
    transaction.commit();
    return static_cast<std::int64_t>(slot);
  });
}

void lease_store::heartbeat(const std::string& node_id, const std::string& state) {
  guarded([&] {
    *session_ << "UPDATE cluster_members SET state = :state, heartbeat_at = "
                     + std::string{database_now} + " WHERE node_id = :node",
        soci::use(state, "state"), soci::use(node_id, "node");
  });
}

void lease_store::leave(const std::string& node_id) {
  guarded([&] {
    *session_ << "UPDATE cluster_members SET state = 'leaving', heartbeat_at = 0"
                 " WHERE node_id = :node",
        soci::use(node_id, "node");
  });
}

std::vector<member_row> lease_store::members() {
  return guarded([&] {
    std::vector<member_row> members;
    long long lease = lease_milliseconds_;
    soci::rowset<soci::row> rows =
        (session_->prepare
             << std::string{"SELECT node_id, slot, address, state, CASE WHEN heartbeat_at > "}
                  + database_now
                  + " - CAST(:lease AS BIGINT) THEN 1 ELSE 0 END FROM cluster_members"
                    " ORDER BY node_id",
         soci::use(lease, "lease"));
    for (const auto& row : rows) {
      members.push_back(member_row{row.get<std::string>(0), read_int64(row, 1),
                                   row.get<std::string>(2), row.get<std::string>(3),
                                   read_int64(row, 4) != 0});
    }
    return members;
  });
}

std::vector<lease_row> lease_store::leases() {
  return guarded([&] {
    std::vector<lease_row> leases;
    long long shards = shard_count_;
    soci::rowset<soci::row> rows =
        (session_->prepare << std::string{"SELECT shard, COALESCE(owner, ''), epoch,"
                                          " CASE WHEN owner IS NOT NULL AND expires_at > "}
                                + database_now
                                + " THEN 1 ELSE 0 END FROM shard_leases"
                                  " WHERE shard < CAST(:shards AS BIGINT) ORDER BY shard",
         soci::use(shards, "shards"));
    for (const auto& row : rows) {
      leases.push_back(lease_row{static_cast<std::uint32_t>(read_int64(row, 0)),
                                 row.get<std::string>(1), read_int64(row, 2),
                                 read_int64(row, 3) != 0});
    }
    return leases;
  });
}

std::optional<std::int64_t> lease_store::acquire(std::uint32_t shard, const std::string& node_id) {
  return guarded([&]() -> std::optional<std::int64_t> {
    long long epoch = 0;
    long long lease = lease_milliseconds_;
    long long wanted = shard;
    soci::indicator indicator = soci::i_null;
    *session_ << "UPDATE shard_leases SET owner = :node, epoch = epoch + 1, expires_at = "
                     + std::string{database_now} + " + CAST(:lease AS BIGINT)"
                     + " WHERE shard = CAST(:shard AS BIGINT)"
                     + " AND (owner IS NULL OR expires_at < " + database_now + ") RETURNING epoch",
        soci::use(node_id, "node"), soci::use(lease, "lease"), soci::use(wanted, "shard"),
        soci::into(epoch, indicator);
    if (indicator != soci::i_ok || !session_->got_data()) {
      return std::nullopt;
    }
    return static_cast<std::int64_t>(epoch);
  });
}

std::vector<std::uint32_t> lease_store::renew(const std::string& node_id,
                                              const std::vector<shard_fence>& held) {
  if (held.empty()) {
    return {};
  }
  return guarded([&] {
    // The held (shard, epoch) pairs as two bound arrays, "{1,2}" and "{7,3}".
    std::vector<std::int64_t> shard_numbers;
    std::vector<std::int64_t> epoch_numbers;
    for (const auto& lease : held) {
      shard_numbers.push_back(lease.shard);
      epoch_numbers.push_back(lease.epoch);
    }
    std::string shards = postgresql_integer_array(shard_numbers);
    std::string epochs = postgresql_integer_array(epoch_numbers);
    long long lease = lease_milliseconds_;
    // The rows are locked in shard order, the order in which commits lock them FOR SHARE
    // (ledger_store::check_fences): an UPDATE takes them in whatever order it finds them,
    // and a commit holding one and waiting for another, taken by this UPDATE waiting for
    // the first, was a deadlock.
    std::string sql = std::string{"WITH renewing AS (SELECT shard AS renewing_shard"}
                      + " FROM shard_leases WHERE owner = :node AND (shard, epoch) IN"
                        " (SELECT * FROM unnest(CAST(:shards AS BIGINT[]),"
                        " CAST(:epochs AS BIGINT[]))) ORDER BY shard FOR UPDATE)"
                        " UPDATE shard_leases SET expires_at = "
                      + database_now
                      + " + CAST(:lease AS BIGINT) FROM renewing"
                        " WHERE shard_leases.shard = renewing.renewing_shard RETURNING shard";
    std::vector<std::uint32_t> renewed;
    soci::rowset<soci::row> rows =
        (session_->prepare << sql, soci::use(lease, "lease"), soci::use(node_id, "node"),
         soci::use(shards, "shards"), soci::use(epochs, "epochs"));
    for (const auto& row : rows) {
      renewed.push_back(static_cast<std::uint32_t>(read_int64(row, 0)));
    }
    return renewed;
  });
}

void lease_store::release(const std::string& node_id, const shard_fence& lease) {
  guarded([&] {
    long long shard = lease.shard;
    long long epoch = lease.epoch;
    *session_ << "UPDATE shard_leases SET owner = NULL, expires_at = 0 WHERE owner = :node"
                 " AND shard = CAST(:shard AS BIGINT) AND epoch = CAST(:epoch AS BIGINT)",
        soci::use(node_id, "node"), soci::use(shard, "shard"), soci::use(epoch, "epoch");
  });
}

} // namespace settle::persistence
