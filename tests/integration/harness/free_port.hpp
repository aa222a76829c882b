// Loopback ports chosen before a server starts, for servers whose addresses must be known
// in advance: cluster nodes name each other in --cluster.seeds, and nginx names the nodes.
#pragma once

#include <cstdint>

namespace settle::integration {

// A loopback port that nothing listens on now and that this process has not handed out
// before. It lies below the kernel's ephemeral range, so that the outgoing connections of
// the servers (to PostgreSQL, to each other) do not take it before its server binds it.
std::uint16_t free_loopback_port();

} // namespace settle::integration
