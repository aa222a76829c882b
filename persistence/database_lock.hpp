// One database, one owner. A node holds this lock for its whole life, so that two nodes
// never decide on the same money from two memories: a single node holds it exclusively
// (PostgreSQL: a session-level advisory lock; SQLite: flock on the database file), the
// nodes of a cluster share it (their leases and fences divide the work among them), so a
// single node cannot start on a cluster's database, nor a cluster node on a single's.
#pragma once

#include "persistence/advisory_lock.hpp"
#include "persistence/connection.hpp"
#include "persistence/storage_url.hpp"

#include <chrono>
#include <memory>

namespace settle::persistence {

class database_lock {
public:
  virtual ~database_lock() = default;
};

// Another process owns the database.
class database_in_use : public storage_error {
public:
  using storage_error::storage_error;
};

// Takes the lock, or throws database_in_use (another process still holds it after
// `patience`) or storage_error (the database cannot be reached). The patience covers a
// process that was just killed: PostgreSQL ends its session, and its lock, a moment later.
std::unique_ptr<database_lock> lock_database(const storage_url& url, ownership mode,
                                             std::chrono::milliseconds patience);

} // namespace settle::persistence
