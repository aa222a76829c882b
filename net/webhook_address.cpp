#include "net/webhook_address.hpp"

#include <array>
#include <cstdint>

namespace settle::net {
namespace {

struct ipv4_range {
  std::uint32_t first;
  int prefix_bits;
};

constexpr std::uint32_t ipv4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) {
  return (std::uint32_t{a} << 24) | (std::uint32_t{b} << 16) | (std::uint32_t{c} << 8) | d;
}

// The IPv4 ranges that are not public unicast (RFC 6890's special-purpose registry).
constexpr std::array<ipv4_range, 15> non_public_ipv4{{
  {ipv4(0, 0, 0, 0), 8},        // "this network", the unspecified address
  {ipv4(10, 0, 0, 0), 8},       // private
  {ipv4(100, 64, 0, 0), 10},    // shared address space (carrier-grade NAT)
  {ipv4(127, 0, 0, 0), 8},      // loopback
  {ipv4(169, 254, 0, 0), 16},   // link-local, cloud metadata
  {ipv4(172, 16, 0, 0), 12},    // private
  {ipv4(192, 0, 0, 0), 24},     // IETF protocol assignments
  {ipv4(192, 0, 2, 0), 24},     // documentation
  {ipv4(192, 88, 99, 0), 24},   // 6to4 relay anycast (deprecated)
  {ipv4(192, 168, 0, 0), 16},   // private
  {ipv4(198, 18, 0, 0), 15},    // benchmarking
  {ipv4(198, 51, 100, 0), 24},  // documentation
  {ipv4(203, 0, 113, 0), 24},   // documentation
  {ipv4(224, 0, 0, 0), 4},      // multicast
  {ipv4(240, 0, 0, 0), 4},      // reserved, and the broadcast address
}};

bool in_range(std::uint32_t address, const ipv4_range& range) {
  auto mask = range.prefix_bits == 0 ? 0u : ~std::uint32_t{0} << (32 - range.prefix_bits);
  return (address & mask) == (range.first & mask);
}

bool is_public_ipv4(const boost::asio::ip::address_v4& address) {
  auto value = address.to_uint();
  for (const auto& range : non_public_ipv4) {
    if (in_range(value, range)) {
      return false;
    }
  }
  return true;
}

// The IPv4 address in the last four bytes.
boost::asio::ip::address_v4 embedded_ipv4(const boost::asio::ip::address_v6::bytes_type& bytes) {
  return boost::asio::ip::address_v4{{bytes[12], bytes[13], bytes[14], bytes[15]}};
}

bool starts_with(const boost::asio::ip::address_v6::bytes_type& bytes,
                 std::initializer_list<std::uint8_t> prefix) {
  std::size_t index = 0;
  for (auto byte : prefix) {
    if (bytes[index++] != byte) {
      return false;
    }
  }
  return true;
}

bool is_public_ipv6(const boost::asio::ip::address_v6& address) {
  const auto bytes = address.to_bytes();
  bool nat64 = starts_with(bytes, {0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0});
  if (address.is_v4_mapped() || nat64) {
    return is_public_ipv4(embedded_ipv4(bytes)); // ::ffff:a.b.c.d, 64:ff9b::a.b.c.d (NAT64)
  }
  if (address.is_unspecified() || address.is_loopback() || address.is_link_local()
      || address.is_multicast() || address.is_site_local()) {
    return false;
  }
  auto first = bytes[0];
  bool unique_local = (first & 0xfe) == 0xfc;                  // fc00::/7, private
  bool documentation = starts_with(bytes, {0x20, 0x01, 0x0d, 0xb8}); // 2001:db8::/32
  // ::a.b.c.d, IPv4-compatible (deprecated)
  bool compatible = starts_with(bytes, {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
  return !unique_local && !documentation && !compatible;
}

} // namespace

bool is_public_address(const boost::asio::ip::address& address) noexcept {
  return address.is_v4() ? is_public_ipv4(address.to_v4()) : is_public_ipv6(address.to_v6());
}

} // namespace settle::net
