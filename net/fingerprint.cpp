// SHA-256 through OpenSSL's EVP interface, written as lower-case hex.
#include "net/fingerprint.hpp"

#include "domain/assert.hpp"

#include <openssl/evp.h>

namespace settle::net {

std::string request_fingerprint(std::string_view method, std::string_view target,
                                std::string_view body) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_MD_CTX* context = EVP_MD_CTX_new();
  SETTLE_ASSERT(context != nullptr);
  bool ok = EVP_DigestInit_ex(context, EVP_sha256(), nullptr) == 1
            && EVP_DigestUpdate(context, method.data(), method.size()) == 1
            && EVP_DigestUpdate(context, " ", 1) == 1
            && EVP_DigestUpdate(context, target.data(), target.size()) == 1
            && EVP_DigestUpdate(context, "\n", 1) == 1
            && EVP_DigestUpdate(context, body.data(), body.size()) == 1
            && EVP_DigestFinal_ex(context, digest, &length) == 1;
  EVP_MD_CTX_free(context);
  SETTLE_ASSERT(ok);
  static constexpr char hex[] = "0123456789abcdef";
  std::string text;
  text.reserve(length * 2);
  for (unsigned int i = 0; i < length; ++i) {
    text.push_back(hex[digest[i] >> 4]);
    text.push_back(hex[digest[i] & 0x0F]);
  }
  return text;
}

} // namespace settle::net
