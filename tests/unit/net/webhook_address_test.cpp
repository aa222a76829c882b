// Tests which addresses a webhook may be sent to: public unicast only, IPv4 and IPv6,
// with IPv4 carried in IPv6 judged as IPv4; both sides of each range's edges.
#include "net/webhook_address.hpp"

#include <catch2/catch.hpp>

#include <string>

namespace {

bool is_public(const std::string& text) {
  return settle::net::is_public_address(boost::asio::ip::make_address(text));
}

} // namespace

TEST_CASE("loopback, private, link-local and special IPv4 ranges are not public", "[webhooks]") {
  for (const char* refused :
       {"127.0.0.1", "127.255.255.255", "10.0.0.1", "10.255.255.255", "172.16.0.1",
        "172.31.255.255", "192.168.0.1", "192.168.255.255", "169.254.169.254", "0.0.0.0",
        "0.1.2.3", "100.64.0.1", "100.127.255.255", "192.0.0.8", "192.0.2.1", "198.18.0.1",
        "198.19.255.255", "198.51.100.7", "203.0.113.9", "224.0.0.1", "239.255.255.255",
        "240.0.0.1", "255.255.255.255"}) {
    INFO(refused);
    CHECK_FALSE(is_public(refused));
  }
}

TEST_CASE("public IPv4 addresses, also just beside the special ranges, are public", "[webhooks]") {
  for (const char* allowed :
       {"1.1.1.1", "8.8.8.8", "9.255.255.255", "11.0.0.0", "126.255.255.255", "128.0.0.0",
        "172.15.255.255", "172.32.0.0", "192.167.255.255", "192.169.0.0", "169.253.255.255",
        "169.255.0.0", "100.63.255.255", "100.128.0.0", "198.17.255.255", "198.20.0.0",
        "223.255.255.255"}) {
    INFO(allowed);
    CHECK(is_public(allowed));
  }
}

TEST_CASE("IPv6: loopback, unique-local, link-local, multicast are not public", "[webhooks]") {
  for (const char* refused :
       {"::", "::1", "fe80::1", "febf::1", "fc00::1", "fdff::1", "ff02::1", "2001:db8::1",
        "::ffff:127.0.0.1", "::ffff:10.1.2.3", "::ffff:169.254.169.254", "64:ff9b::a00:1",
        "::127.0.0.1", "fec0::1" /* deprecated site-local */}) {
    INFO(refused);
    CHECK_FALSE(is_public(refused));
  }
  for (const char* allowed : {"2606:4700:4700::1111", "2a00:1450::1", "::ffff:8.8.8.8",
                              "64:ff9b::808:808"}) {
    INFO(allowed);
    CHECK(is_public(allowed));
  }
}
