// Tests the webhook signature: HMAC-SHA256 against RFC 4231's vectors, the header's
// format, and verification (a changed body, another secret, a stale or future time, a
// malformed header all fail), and the secrets' shape.
#include "net/webhook_signature.hpp"

#include <catch2/catch.hpp>

#include <set>
#include <string>

using settle::net::hmac_sha256_hex;
using settle::net::verify_webhook_signature;
using settle::net::webhook_signature;

TEST_CASE("HMAC-SHA256 matches RFC 4231", "[webhooks]") {
  CHECK(hmac_sha256_hex(std::string(20, '\x0b'), "Hi There")
        == "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  CHECK(hmac_sha256_hex("Jefe", "what do ya want for nothing?")
        == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST_CASE("the header is t=<seconds>,v1=<HMAC of \"<t>.<body>\">", "[webhooks]") {
  const std::string body = R"({"type":"event","seq":7})";
  auto header = webhook_signature("whsec_k", 1700000000, body);
  CHECK(header == "t=1700000000,v1=" + hmac_sha256_hex("whsec_k", "1700000000." + body));
}

TEST_CASE("a receiver accepts the signature within 5 minutes only", "[webhooks]") {
  const std::string body = R"({"type":"event","seq":7,"event":"transfer.settled"})";
  const std::int64_t sent = 1700000000;
  auto header = webhook_signature("whsec_k", sent, body);
  CHECK(verify_webhook_signature(header, "whsec_k", body, sent));
  CHECK(verify_webhook_signature(header, "whsec_k", body, sent + 300));
  CHECK(verify_webhook_signature(header, "whsec_k", body, sent - 300));
  CHECK_FALSE(verify_webhook_signature(header, "whsec_k", body, sent + 301));
  CHECK_FALSE(verify_webhook_signature(header, "whsec_k", body, sent - 301));
  CHECK_FALSE(verify_webhook_signature(header, "whsec_other", body, sent));
  CHECK_FALSE(verify_webhook_signature(header, "whsec_k", body + " ", sent));
  auto digest = header.substr(header.find("v1=") + 3);
  for (const std::string& malformed :
       {std::string{}, "v1=" + digest, "t=,v1=" + digest, "t=17x,v1=" + digest,
        "t=1700000000,v1=" + digest.substr(1), "t=1700000000,v1=" + digest + "0",
        "t=1700000000;v1=" + digest, "t=-9223372036854775808,v1=" + digest,
        "t=99999999999999999999,v1=" + digest}) {
    INFO(malformed);
    CHECK_FALSE(verify_webhook_signature(malformed, "whsec_k", body, sent));
  }
  CHECK_FALSE(verify_webhook_signature(header, "whsec_k", body, INT64_MIN));
}

TEST_CASE("secrets are whsec_ and 64 hex digits, never twice", "[webhooks]") {
  std::set<std::string> seen;
  for (int index = 0; index < 100; ++index) {
    auto secret = settle::net::generate_webhook_secret();
    REQUIRE(secret.size() == 6 + 64);
    CHECK(secret.rfind("whsec_", 0) == 0);
    CHECK(secret.find_first_not_of("0123456789abcdef", 6) == std::string::npos);
    CHECK(seen.insert(secret).second);
  }
}
