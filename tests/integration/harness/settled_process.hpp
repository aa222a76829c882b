// Starts and stops one real `settled` process for a test: fork/exec with the storage URL
// and keys file, wait for the "listening on" line, and stop it by SIGTERM or kill -9.
#pragma once

#include "tests/integration/harness/child_process.hpp"

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace settle::integration {

struct process_options {
  std::string binary;
  std::string storage_url;
  std::string keys_file;
  std::string node_id = "test-node";
  // Port 0 picks a new port at every start; a cluster node keeps a fixed one, so that its
  // peers and a load balancer in front find it again after a restart.
  std::string http_listen = "127.0.0.1:0";
  // Appended to the command line, e.g. the --cluster.* options of a cluster node.
  std::vector<std::string> extra_arguments;
  // The server's standard error and standard output are appended here.
  std::string log_path;
};

// What the output reader of one run of the child tells the test thread.
struct process_startup;

class settled_process {
 public:
  // Starts the server and returns once it serves; throws, with the log's tail, otherwise.
  explicit settled_process(process_options options);
  // Always kills the child: a test that failed halfway must not leave a server behind.
  ~settled_process();
  settled_process(const settled_process&) = delete;
  settled_process& operator=(const settled_process&) = delete;

  std::uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }
  const process_options& options() const { return options_; }
  bool running();

  // Any signal without waiting for its effect, e.g. SIGSTOP and SIGCONT to pause a node.
  void send_signal(int signal);

  // SIGTERM, then waits up to `grace`; kill -9 if it is still there.
  exit_status stop(std::chrono::seconds grace = std::chrono::seconds(10));
  // kill -9: the crash a durable server must survive.
  exit_status kill();
  // Starts it again with the same options; it listens on a new port.
  void start();

 private:
  void launch();
  void wait_until_ready();
  void forget_child(exit_status status);

  process_options options_;
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
  std::shared_ptr<process_startup> startup_;
  std::thread output_reader_;
};

}  // namespace settle::integration
