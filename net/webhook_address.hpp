// Where webhooks may be sent. A payment processor that POSTs to any address its tenants
// name would let them reach the machines beside it (its database, cloud metadata at
// 169.254.169.254, an admin port on 127.0.0.1). So, unless the operator allows private
// targets (--webhooks.allow-private, for tests and private deployments), a webhook goes
// only to a public unicast address: not loopback, private, link-local, shared (CGNAT),
// unspecified, multicast, broadcast, reserved or documentation ranges. An IPv6 address
// that carries an IPv4 one (mapped, NAT64) is judged by that IPv4 address. Checked when
// an endpoint's URL is set and again for the address each delivery connects to (a name
// may resolve elsewhere later).
#pragma once

#include <boost/asio/ip/address.hpp>

namespace settle::net {

bool is_public_address(const boost::asio::ip::address& address) noexcept;

} // namespace settle::net
