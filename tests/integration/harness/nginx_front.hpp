// nginx in front of the nodes of a test cluster, as a load balancer would be: clients of
// the tests use one port and nginx spreads their requests over the nodes. Its
// configuration is the cluster example's (examples/cluster/nginx.conf.in), so the tests
// also show that the example's front works.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace settle::integration {

class nginx_front {
public:
  // Writes the configuration into a new temporary folder, starts /usr/sbin/nginx (or
  // SETTLE_TEST_NGINX) in the foreground, and returns once it accepts connections;
  // throws, with its error log, otherwise.
  explicit nginx_front(const std::vector<std::uint16_t>& node_ports);
  // Stops nginx and removes its folder.
  ~nginx_front();
  nginx_front(const nginx_front&) = delete;
  nginx_front& operator=(const nginx_front&) = delete;

  std::uint16_t port() const { return port_; }

private:
  void start(const std::vector<std::uint16_t>& node_ports);
  void wait_until_accepting();
  void stop();

  std::string directory_;
  std::uint16_t port_ = 0;
  pid_t pid_ = -1;
};

// The template with @DIRECTORY@ and @LISTEN@ replaced and the line holding @NODE@ repeated
// for each address.
std::string nginx_configuration(const std::string& template_text, const std::string& directory,
                                const std::string& listen,
                                const std::vector<std::string>& node_addresses);

} // namespace settle::integration
