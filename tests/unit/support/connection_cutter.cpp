#include "tests/unit/support/connection_cutter.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace settle::testing {
namespace {

// "postgresql://user@127.0.0.1:5432/db" -> the offsets of "5432".
std::pair<std::size_t, std::size_t> port_span(const std::string& url) {
  auto at = url.find('@');
  auto colon = url.find(':', at == std::string::npos ? url.find("://") + 3 : at);
  auto slash = url.find('/', colon);
  if (colon == std::string::npos || slash == std::string::npos) {
    throw std::runtime_error("connection_cutter needs host:port in " + url);
  }
  return {colon + 1, slash - colon - 1};
}

sockaddr_in loopback(std::uint16_t port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return address;
}

bool contains_commit(const char* data, std::size_t size) {
  static const std::string word = "COMMIT";
  return std::search(data, data + size, word.begin(), word.end()) != data + size;
}

} // namespace

connection_cutter::connection_cutter(const std::string& url) {
  auto [start, length] = port_span(url);
  server_port_ = static_cast<std::uint16_t>(std::stoi(url.substr(start, length)));
  listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  auto address = loopback(0);
  socklen_t size = sizeof address;
  if (::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0
      || ::listen(listener_, 16) != 0
      || ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &size) != 0) {
    throw std::runtime_error(std::string{"connection_cutter cannot listen: "} + std::strerror(errno));
  }
  relayed_url_ = url.substr(0, start) + std::to_string(ntohs(address.sin_port))
                 + url.substr(start + length);
  acceptor_ = std::thread([this] { accept_loop(); });
}

connection_cutter::~connection_cutter() {
  stopping_ = true;
  ::shutdown(listener_, SHUT_RDWR);
  acceptor_.join();
  ::close(listener_);
  for (auto& each : relays_) {
    each.join();
  }
}

void connection_cutter::accept_loop() {
  while (!stopping_) {
    int client = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) {
      return;
    }
    int server = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    auto address = loopback(server_port_);
    if (::connect(server, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
      ::close(client);
      ::close(server);
      continue;
    }
    relays_.emplace_back([this, client, server] { relay(client, server); });
  }
}

// Both directions on one thread with poll(); ends when either side closes or the cut
// happens, closing both.
void connection_cutter::relay(int client, int server) {
  bool commit_forwarded = false;
  char buffer[65536];
  // Passes one chunk from `from` to `to`, unless `cut_here` says the armed cut happens
  // at it; false when the relay ends.
  auto pass_on = [&buffer](int from, int to, auto cut_here) {
    auto got = ::read(from, buffer, sizeof buffer);
    return got > 0 && !cut_here(static_cast<std::size_t>(got))
           && ::write(to, buffer, static_cast<std::size_t>(got)) == got;
  };
  auto take_cut = [this](cut when) {
    auto expected = when;
    if (!armed_.compare_exchange_strong(expected, cut::none)) {
      return false;
    }
    cut_done_ = true;
    return true;
  };
  auto client_chunk = [&](std::size_t size) {
    bool commit = contains_commit(buffer, size);
    if (commit && take_cut(cut::before_commit)) {
      return true;
    }
    commit_forwarded = commit_forwarded || commit;
    return false;
  };
  auto server_chunk = [&](std::size_t) {
    return commit_forwarded && take_cut(cut::after_commit);
  };
  pollfd sides[2] = {{client, POLLIN, 0}, {server, POLLIN, 0}};
  constexpr short readable = POLLIN | POLLHUP | POLLERR;
  while (!stopping_ && ::poll(sides, 2, 100) >= 0) {
    if ((sides[0].revents & readable) && !pass_on(client, server, client_chunk)) {
      break;
    }
    if ((sides[1].revents & readable) && !pass_on(server, client, server_chunk)) {
      break;
    }
  }
  ::close(client);
  ::close(server);
}

} // namespace settle::testing
