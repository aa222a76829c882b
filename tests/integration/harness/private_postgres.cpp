// The server's tools (initdb, pg_ctl) run as the postgres user when the tests run as root,
// since PostgreSQL refuses to run as root; the folder is handed to that user.
#include "tests/integration/harness/private_postgres.hpp"

#include "tests/integration/harness/free_port.hpp"
#include "tests/integration/harness/test_server.hpp"

#include <libpq-fe.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

#include <unistd.h>

namespace settle::integration {

namespace {

// The newest installed PostgreSQL's binaries.
std::string binaries_folder() {
  std::string newest;
  int newest_version = -1;
  for (const auto& entry : std::filesystem::directory_iterator("/usr/lib/postgresql")) {
    auto name = entry.path().filename().string();
    int version = std::atoi(name.c_str());
    if (version > newest_version && std::filesystem::exists(entry.path() / "bin" / "pg_ctl")) {
      newest_version = version;
      newest = (entry.path() / "bin").string();
    }
  }
  if (newest.empty()) {
    throw std::runtime_error("no PostgreSQL server binaries under /usr/lib/postgresql");
  }
  return newest;
}

// The processes whose parent is `parent`, from /proc.
std::vector<pid_t> children_of(pid_t parent) {
  std::vector<pid_t> children;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    auto name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) {
      continue;
    }
    std::ifstream stat(entry.path() / "stat");
    std::string line;
    std::getline(stat, line);
    // pid (command) state ppid ...; the command may contain spaces, so read after ')'.
    auto closing = line.rfind(')');
    if (closing == std::string::npos) {
      continue;
    }
    std::istringstream rest(line.substr(closing + 1));
    std::string state;
    pid_t parent_of_entry = 0;
    rest >> state >> parent_of_entry;
    if (parent_of_entry == parent) {
      children.push_back(static_cast<pid_t>(std::atoi(name.c_str())));
    }
  }
  return children;
}

} // namespace

private_postgres::private_postgres()
    : directory_(make_temporary_directory())
    , binaries_(binaries_folder())
    , port_(free_loopback_port()) {
  std::filesystem::permissions(directory_, std::filesystem::perms::all);
  if (::geteuid() == 0) {
    run("/bin/chown", "postgres:postgres " + directory_);
  }
  run(binaries_ + "/initdb", "-D " + directory_ + "/data -U settle -A trust --encoding=UTF8"
                                 " --locale=C.UTF-8 >" + directory_ + "/initdb.log 2>&1");
  start();
}

private_postgres::~private_postgres() {
  try {
    resume();
    run(binaries_ + "/pg_ctl", "-D " + directory_ + "/data -m immediate stop >/dev/null 2>&1");
  } catch (const std::exception&) {
  }
  std::error_code ignored;
  std::filesystem::remove_all(directory_, ignored);
}

std::string private_postgres::url() const {
  return "postgresql://settle@127.0.0.1:" + std::to_string(port_) + "/postgres";
}

void private_postgres::run(const std::string& tool, const std::string& arguments) const {
  const bool as_postgres = ::geteuid() == 0 && tool.rfind(binaries_, 0) == 0;
  const auto command = (as_postgres ? "runuser -u postgres -- " : "") + tool + " " + arguments;
  if (std::system(command.c_str()) != 0) {
    throw std::runtime_error("failed: " + command);
  }
}

void private_postgres::start() {
  run(binaries_ + "/pg_ctl",
      "-D " + directory_ + "/data -w -t 60 -l " + directory_ + "/server.log -o \"-c listen_addresses=127.0.0.1 -c port="
        + std::to_string(port_) + " -c unix_socket_directories=" + directory_
        + " -c fsync=on -c synchronous_commit=on\" start >/dev/null");
}

void private_postgres::stop(const std::string& mode) {
  run(binaries_ + "/pg_ctl", "-D " + directory_ + "/data -w -t 60 -m " + mode + " stop >/dev/null");
}

// The postmaster stops last and continues first, so that it never sees its children
// stopped (it would take a stopped child for a dead one only if it exited).
void private_postgres::signal_all(int signal) const {
  std::ifstream pid_file(directory_ + "/data/postmaster.pid");
  pid_t postmaster = 0;
  if (!(pid_file >> postmaster) || postmaster <= 0) {
    return; // not running
  }
  if (signal == SIGCONT) {
    ::kill(postmaster, SIGCONT);
  }
  for (auto child : children_of(postmaster)) {
    ::kill(child, signal);
  }
  if (signal == SIGSTOP) {
    ::kill(postmaster, SIGSTOP);
  }
}

void private_postgres::pause() { signal_all(SIGSTOP); }

void private_postgres::resume() { signal_all(SIGCONT); }

int private_postgres::terminate_connections() {
  return std::stoi(query("SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))"
                         " FROM pg_stat_activity"
                         " WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()"));
}

std::string private_postgres::query(const std::string& statement) const {
  PGconn* connection = PQconnectdb(url().c_str());
  if (PQstatus(connection) != CONNECTION_OK) {
    std::string message = PQerrorMessage(connection);
    PQfinish(connection);
    throw std::runtime_error("cannot connect to " + url() + ": " + message);
  }
  PGresult* result = PQexec(connection, statement.c_str());
  const auto status = PQresultStatus(result);
  const bool succeeded = status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK;
  std::string first = succeeded && PQntuples(result) > 0 && PQnfields(result) > 0
                        ? PQgetvalue(result, 0, 0)
                        : "";
  std::string message = succeeded ? "" : PQresultErrorMessage(result);
  PQclear(result);
  PQfinish(connection);
  if (!succeeded) {
    throw std::runtime_error("failed: " + statement + ": " + message);
  }
  return first;
}

} // namespace settle::integration
