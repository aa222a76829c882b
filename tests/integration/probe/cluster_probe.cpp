// cluster_probe: plays a stranger (or a peer) on a node's cluster port. It connects to the
// node directory published at HOST:PORT, over CAF's OpenSSL module when given a CA, a
// certificate and a key, else over plain CAF, and introduces itself as a node the
// cluster does not have.
//   cluster_probe HOST PORT [CA CERT KEY]
// Exit 0: the directory answered (refusing a non-member: the actor was reached); 1: no
// actor was reached (no connection, or no answer).
#include "actors/interfaces.hpp"
#include "actors/messages.hpp"
#include "actors/node.hpp"

#include <caf/all.hpp>
#include <caf/io/middleman.hpp>
#include <caf/openssl/manager.hpp>
#include <caf/openssl/remote_actor.hpp>

#include <iostream>
#include <string>

int main(int argc, char** argv) {
  if (argc != 3 && argc != 6) {
    std::cerr << "usage: cluster_probe HOST PORT [CA CERT KEY]\n";
    return 2;
  }
  std::string host = argv[1];
  auto port = static_cast<std::uint16_t>(std::stoul(argv[2]));
  bool tls = argc == 6;
  caf::actor_system_config config;
  settle::register_message_types(config);
  config.load<caf::io::middleman>();
  if (tls) {
    config.set("openssl.cafile", argv[3]);
    config.set("openssl.certificate", argv[4]);
    config.set("openssl.key", argv[5]);
    config.load<caf::openssl::manager>();
  }
  caf::actor_system system{config};
  auto directory =
    tls ? caf::openssl::remote_actor<settle::node_directory_actor>(system, host, port)
        : system.middleman().remote_actor<settle::node_directory_actor>(host, port);
  if (!directory) {
    std::cout << "no actor reached: " << system.render(directory.error()) << std::endl;
    return 1;
  }
  caf::scoped_actor self{system};
  int result = 1;
  self->request(*directory, std::chrono::seconds{5}, settle::regions_atom::value,
                std::string{"probe"}, caf::actor{}, caf::actor{}, caf::actor{},
                caf::actor{})
    .receive(
      [&](caf::actor&, caf::actor&, caf::actor&, caf::actor&) {
        std::cout << "reached the node's directory, and it answered a non-member" << std::endl;
        result = 0;
      },
      [&](caf::error& error) {
        // CAF's own errors (a timeout, a receiver down) say nothing reached the directory.
        bool from_the_directory = error.category() != caf::atom("system");
        std::cout << (from_the_directory ? "the directory answered: " : "no answer: ")
                  << system.render(error) << std::endl;
        result = from_the_directory ? 0 : 1;
      });
  return result;
}
