// The owner's lock on each database: flock(2) on the SQLite file, and an advisory lock
// held by a connection of its own on PostgreSQL (it ends with the session, so a process
// that dies, even by kill -9, lets go of it).
#include "persistence/database_lock.hpp"

#include "persistence/connection.hpp"
#include "persistence/patience.hpp"

#include <soci/soci.h>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace settle::persistence {
namespace {

constexpr advisory_lock_key owner_lock_key{advisory_lock_keys::owner, std::nullopt};

// flock() locks are apart from the POSIX record locks SQLite takes on the same file, so
// this lock neither blocks SQLite nor is released by SQLite closing its descriptors.
class sqlite_file_lock : public database_lock {
public:
  sqlite_file_lock(const std::string& path, std::chrono::milliseconds patience) {
    descriptor_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (descriptor_ < 0) {
      throw storage_error{"cannot open the database file " + path + ": " + std::strerror(errno)};
    }
    int error = 0; // EWOULDBLOCK while another process holds it
    try_with_patience(patience, [&] {
      error = ::flock(descriptor_, LOCK_EX | LOCK_NB) == 0 ? 0 : errno;
      return error != EWOULDBLOCK;
    });
    if (error != 0) {
      ::close(descriptor_);
      throw database_in_use{"the database file " + path + " is in use: "
                            + (error == EWOULDBLOCK ? std::string{"another settled is using it"}
                                                    : std::string{std::strerror(error)})};
    }
  }

  ~sqlite_file_lock() override { ::close(descriptor_); }

private:
  int descriptor_ = -1;
};

class postgresql_owner_lock : public database_lock {
public:
  postgresql_owner_lock(const storage_url& url, ownership mode,
                        std::chrono::milliseconds patience)
      : session_(open_session(url)) {
    if (!take_advisory_lock(*session_, owner_lock_key, mode, patience)) {
      throw database_in_use{mode == ownership::exclusive
                            ? "the database is in use by another settled (a single node or a"
                              " cluster): one database has one owner"
                            : "the database is in use by a single node started without"
                              " --cluster options: one database has one owner"};
    }
  }

  ~postgresql_owner_lock() override { release_advisory_locks(*session_); }

private:
  std::unique_ptr<soci::session> session_; // holds the lock until it lets go
};

} // namespace

std::unique_ptr<database_lock> lock_database(const storage_url& url, ownership mode,
                                             std::chrono::milliseconds patience) {
  if (url.kind == dialect::sqlite) {
    return std::make_unique<sqlite_file_lock>(url.file, patience);
  }
  return std::make_unique<postgresql_owner_lock>(url, mode, patience);
}

} // namespace settle::persistence
