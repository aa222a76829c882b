// The owner's lock on each database: flock(2) on the SQLite file, and an advisory lock
// held by a connection of its own on PostgreSQL (it ends with the session, so a process
// that dies, even by kill -9, lets go of it).
#include "persistence/database_lock.hpp"

#include "persistence/connection.hpp"
#include "persistence/text_query.hpp"

#include <soci/soci.h>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

namespace settle::persistence {
namespace {

// The advisory lock's key; 7303 is the migrations' own and 7304 the event numbering
// section's (in a cluster, migration 14), which this shared lock would block.
constexpr const char* owner_lock_key = "7305";

// flock() locks are apart from the POSIX record locks SQLite takes on the same file, so
// this lock neither blocks SQLite nor is released by SQLite closing its descriptors.
class sqlite_file_lock : public database_lock {
public:
  explicit sqlite_file_lock(const std::string& path) {
    descriptor_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (descriptor_ < 0) {
      throw storage_error{"cannot open the database file " + path + ": " + std::strerror(errno)};
    }
    if (::flock(descriptor_, LOCK_EX | LOCK_NB) != 0) {
      auto reason = errno == EWOULDBLOCK ? std::string{"another settled is using it"}
                                         : std::string{std::strerror(errno)};
      ::close(descriptor_);
      throw database_in_use{"the database file " + path + " is in use: " + reason};
    }
  }

  ~sqlite_file_lock() override { ::close(descriptor_); }

private:
  int descriptor_ = -1;
};

class postgresql_advisory_lock : public database_lock {
public:
  postgresql_advisory_lock(const storage_url& url, ownership mode)
      : session_(open_session(url)), suffix_(mode == ownership::exclusive ? "" : "_shared") {
    if (ask("pg_try_advisory_lock") != "true") {
      throw database_in_use{mode == ownership::exclusive
                            ? "the database is in use by another settled (a single node or a"
                              " cluster): one database has one owner"
                            : "the database is in use by a single node started without"
                              " --cluster options: one database has one owner"};
    }
  }

  // Lets go before the session closes: a closed connection's backend ends, and drops its
  // locks, a moment after the client has gone, so the next owner could find it still held.
  ~postgresql_advisory_lock() override {
    try {
      ask("pg_advisory_unlock");
    } catch (const std::exception&) {
      // The connection is gone, and the lock with its session.
    }
  }

private:
  std::string ask(const std::string& function) {
    auto rows = query_bound(*session_, dialect::postgresql,
                            "SELECT CAST(" + function + suffix_ + "(" + owner_lock_key +
                                ") AS TEXT)");
    return rows.size() == 1 ? rows[0].text(0) : std::string{};
  }

  std::unique_ptr<soci::session> session_; // holds the lock until it closes
  std::string suffix_;                     // "_shared" for the nodes of a cluster
};

} // namespace

std::unique_ptr<database_lock> lock_database(const storage_url& url, ownership mode,
                                             std::chrono::milliseconds patience) {
  auto deadline = std::chrono::steady_clock::now() + patience;
  while (true) {
    try {
      if (url.kind == dialect::sqlite) {
        return std::make_unique<sqlite_file_lock>(url.file);
      }
      return std::make_unique<postgresql_advisory_lock>(url, mode);
    } catch (const database_in_use&) {
      if (std::chrono::steady_clock::now() >= deadline) {
        throw;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds{100});
    }
  }
}

} // namespace settle::persistence
