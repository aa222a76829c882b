// The one HOST:PORT parser of --http.listen, --cluster.listen and the seeds: IPv6 in
// brackets, ports of decimal digits only within 0 to 65535, and the loopback test.
#include "domain/host_port.hpp"

#include <catch2/catch.hpp>

using settle::parse_host_port;

TEST_CASE("HOST:PORT splits at the last colon", "[host_port]") {
  auto plain = parse_host_port("127.0.0.1:8080");
  REQUIRE(plain.has_value());
  CHECK(plain->host == "127.0.0.1");
  CHECK(plain->port == 8080);
  CHECK(parse_host_port("db.example.com:5432")->host == "db.example.com");
  CHECK(parse_host_port("0.0.0.0:0")->port == 0); // port 0: pick a free one
  CHECK(parse_host_port("h:65535")->port == 65535);
}

TEST_CASE("an IPv6 host comes without its brackets", "[host_port]") {
  auto bracketed = parse_host_port("[::1]:4000");
  REQUIRE(bracketed.has_value());
  CHECK(bracketed->host == "::1");
  CHECK(bracketed->port == 4000);
  CHECK(parse_host_port("[2001:db8::7]:443")->host == "2001:db8::7");
}

TEST_CASE("a port that is not 0 to 65535 in digits alone, or a missing part, is refused",
          "[host_port]") {
  for (const char* text : {"", ":", "host", "host:", ":8080", "[]:8080", "host:65536",
                           "host:99999", "host:123456", "host:80x", "host:x80", "host:+80",
                           "host:-1", "host: 80", "host:8 0", "host:0x50"}) {
    INFO("'" << text << "'");
    CHECK_FALSE(parse_host_port(text).has_value());
  }
}

TEST_CASE("loopback is localhost, 127.x.x.x and ::1", "[host_port]") {
  for (const char* text : {"localhost:1", "127.0.0.1:1", "127.1.2.3:1", "[::1]:1"}) {
    INFO(text);
    CHECK(settle::is_loopback(*parse_host_port(text)));
  }
  for (const char* text : {"10.0.0.5:1", "0.0.0.0:1", "[::]:1", "db.example.com:1",
                           "localhost.example.com:1", "128.0.0.1:1"}) {
    INFO(text);
    CHECK_FALSE(settle::is_loopback(*parse_host_port(text)));
  }
}
