// A PostgreSQL server of one test's own, in a temporary folder on a free loopback port,
// that the test may stop, restart, pause and cut off: the database fault tests must not
// disturb the server that the rest of the suite shares.
#pragma once

#include <cstdint>
#include <string>

namespace settle::integration {

class private_postgres {
 public:
  // initdb and start; throws when either fails.
  private_postgres();
  // Stops it (immediate) and removes its folder.
  ~private_postgres();
  private_postgres(const private_postgres&) = delete;
  private_postgres& operator=(const private_postgres&) = delete;

  // The --storage.url of its `postgres` database.
  std::string url() const;

  // pg_ctl stop with this shutdown mode ("fast" or "immediate"), and start again.
  void stop(const std::string& mode);
  void start();

  // SIGSTOP and SIGCONT of every process of the server, as a hung machine would do.
  void pause();
  void resume();

  // pg_terminate_backend of every other connection; returns how many were ended.
  int terminate_connections();

  // Runs one SQL statement on its `postgres` database; returns the first column of the
  // first row ("" when there is none). Throws when the statement fails.
  std::string query(const std::string& statement) const;

 private:
  void run(const std::string& tool, const std::string& arguments) const;
  void signal_all(int signal) const;

  std::string directory_;
  std::string binaries_;
  std::uint16_t port_ = 0;
};

} // namespace settle::integration
