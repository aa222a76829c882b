// A port is free when a socket can bind it; the socket is closed at once, which leaves a
// short race with other programs on the machine that the random choice makes unlikely.
#include "tests/integration/harness/free_port.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <arpa/inet.h>

#include <mutex>
#include <random>
#include <set>
#include <stdexcept>

namespace settle::integration {

namespace {

constexpr std::uint16_t lowest_port = 20000;
constexpr std::uint16_t highest_port = 32000;
constexpr int attempts = 200;

bool can_bind(std::uint16_t port) {
  const int descriptor = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (descriptor < 0) {
    return false;
  }
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool bound =
      ::bind(descriptor, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0;
  ::close(descriptor);
  return bound;
}

} // namespace

std::uint16_t free_loopback_port() {
  static std::mutex mutex;
  static std::set<std::uint16_t> handed_out;
  static std::mt19937 random{std::random_device{}()};
  std::lock_guard lock(mutex);
  std::uniform_int_distribution<int> pick(lowest_port, highest_port);
  for (int attempt = 0; attempt < attempts; ++attempt) {
    const auto port = static_cast<std::uint16_t>(pick(random));
    if (!handed_out.count(port) && can_bind(port)) {
      handed_out.insert(port);
      return port;
    }
  }
  throw std::runtime_error("no free loopback port found between 20000 and 32000");
}

} // namespace settle::integration
