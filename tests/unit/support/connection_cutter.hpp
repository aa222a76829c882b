// A TCP relay between the code under test and its PostgreSQL server that can lose the
// answer to a COMMIT on purpose, the way a cut network link or a restart of the server
// does, at exactly the moment that makes the outcome unknown to the client:
//   - after_commit: the server receives COMMIT and answers; the answer is dropped and the
//     connection closed (the group is durable, the client cannot know);
//   - before_commit: the bytes carrying COMMIT are dropped and the connection closed (the
//     server never commits; the client cannot know either).
// The relay cuts once, then relays faithfully (the client's reconnection goes through).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace settle::testing {

class connection_cutter {
 public:
  enum class cut { none, after_commit, before_commit };

  // Relays to `url`'s host and port (a postgresql:// URL on loopback).
  explicit connection_cutter(const std::string& url);
  ~connection_cutter();
  connection_cutter(const connection_cutter&) = delete;
  connection_cutter& operator=(const connection_cutter&) = delete;

  // The same URL with the relay's port in place of the server's.
  const std::string& url() const { return relayed_url_; }

  void arm(cut when) { armed_ = when; }
  // Whether the armed cut happened.
  bool has_cut() const { return cut_done_; }

 private:
  void accept_loop();
  void relay(int client, int server);

  std::string relayed_url_;
  std::uint16_t server_port_ = 0;
  int listener_ = -1;
  std::atomic<cut> armed_{cut::none};
  std::atomic<bool> cut_done_{false};
  std::atomic<bool> stopping_{false};
  std::thread acceptor_;
  std::vector<std::thread> relays_;
};

} // namespace settle::testing
