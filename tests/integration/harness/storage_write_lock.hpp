// The storage's write lock held from a connection of the test's own, as a long
// transaction of another program would hold it: the node's commits wait behind it until
// release(), while reads go on. For tests of what the node does while a commit waits.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

namespace settle::integration {

class storage_write_lock {
 public:
  // Takes the lock on the storage named by a --storage.url value (sqlite: or postgresql:).
  explicit storage_write_lock(const std::string& storage_url);
  // PostgreSQL only: a lock on one table that holds back its reads too (ACCESS EXCLUSIVE).
  storage_write_lock(const std::string& postgresql_url, const std::string& table);
  ~storage_write_lock();
  storage_write_lock(const storage_write_lock&) = delete;
  storage_write_lock& operator=(const storage_write_lock&) = delete;

  // Waits until `count` other connections wait for the lock, or until `bound` passes;
  // returns whether they were seen. PostgreSQL shows waiters (pg_stat_activity); SQLite
  // shows none, so there it always waits out the bound and answers false.
  bool await_waiters(std::size_t count, std::chrono::milliseconds bound);

  // Ends the lock's transaction; the waiting commits go on.
  void release();

 private:
  struct connection;
  std::unique_ptr<connection> connection_;
};

}  // namespace settle::integration
