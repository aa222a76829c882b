#include "net/webhook_signature.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <array>
#include <charconv>
#include <stdexcept>

namespace settle::net {
namespace {

std::string hex_of(const unsigned char* bytes, std::size_t size) {
  constexpr char digits[] = "0123456789abcdef";
  std::string text;
  text.reserve(2 * size);
  for (std::size_t index = 0; index < size; ++index) {
    text += digits[bytes[index] >> 4];
    text += digits[bytes[index] & 0x0f];
  }
  return text;
}

// The t and v1 of "t=<digits>,v1=<64 hex>", in that order and nothing else.
bool parse_signature(std::string_view header, std::int64_t& time, std::string_view& digest) {
  constexpr std::string_view time_field = "t=";
  constexpr std::string_view digest_field = ",v1=";
  auto comma = header.find(digest_field);
  if (header.substr(0, time_field.size()) != time_field || comma == std::string_view::npos) {
    return false;
  }
  auto time_text = header.substr(time_field.size(), comma - time_field.size());
  auto [end, error] = std::from_chars(time_text.data(), time_text.data() + time_text.size(), time);
  digest = header.substr(comma + digest_field.size());
  return error == std::errc{} && end == time_text.data() + time_text.size() && !time_text.empty()
         && digest.size() == 64;
}

} // namespace

std::string hmac_sha256_hex(std::string_view key, std::string_view message) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(message.data()), message.size(), digest.data(),
           &size) == nullptr) {
    throw std::runtime_error{"HMAC-SHA256 failed"};
  }
  return hex_of(digest.data(), size);
}

std::string webhook_signature(std::string_view secret, std::int64_t unix_seconds,
                              std::string_view body) {
  auto time = std::to_string(unix_seconds);
  std::string signed_text;
  signed_text.reserve(time.size() + 1 + body.size());
  signed_text.append(time).append(".").append(body);
  return "t=" + time + ",v1=" + hmac_sha256_hex(secret, signed_text);
}

bool verify_webhook_signature(std::string_view header, std::string_view secret,
                              std::string_view body, std::int64_t now_unix_seconds) {
  std::int64_t time = 0;
  std::string_view digest;
  if (!parse_signature(header, time, digest)) {
    return false;
  }
  std::int64_t age = 0;
  if (__builtin_sub_overflow(now_unix_seconds, time, &age) || age > signature_tolerance.count()
      || age < -signature_tolerance.count()) {
    return false;
  }
  auto expected = webhook_signature(secret, time, body);
  auto expected_digest = std::string_view{expected}.substr(expected.size() - 64);
  return CRYPTO_memcmp(expected_digest.data(), digest.data(), 64) == 0;
}

std::string generate_webhook_secret() {
  std::array<unsigned char, 32> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    throw std::runtime_error{"the operating system's random generator failed"};
  }
  return "whsec_" + hex_of(bytes.data(), bytes.size());
}

} // namespace settle::net
