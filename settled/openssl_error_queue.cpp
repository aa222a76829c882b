// OpenSSL keeps one error queue per thread, and SSL_get_error() reads it: an error left
// there by one connection makes the next TLS call of any other connection on the same
// thread look failed. CAF 0.17's OpenSSL module never empties the queue, so a stranger's
// failed handshake on the cluster port made the multiplexer drop the established TLS
// links to the other nodes (seen: remote_link_unreachable right after a refused probe).
// OpenSSL's documented rule is to clear the queue before each TLS I/O call; these
// definitions, linked into the executable, take the place of libssl's for every caller
// (CAF's module included), clear the queue, and call libssl's own.
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <dlfcn.h>

namespace {

template <class Function>
Function libssl(const char* name) {
  static_assert(sizeof(Function) == sizeof(void*));
  void* found = dlsym(RTLD_NEXT, name);
  Function function;
  __builtin_memcpy(&function, &found, sizeof function);
  return function;
}

using io_function = int (*)(SSL*, void*, int);
using write_function = int (*)(SSL*, const void*, int);
using handshake_function = int (*)(SSL*);

} // namespace

extern "C" {

int SSL_read(SSL* ssl, void* buffer, int size) {
  static const auto real = libssl<io_function>("SSL_read");
  ERR_clear_error();
  return real(ssl, buffer, size);
}

int SSL_write(SSL* ssl, const void* buffer, int size) {
  static const auto real = libssl<write_function>("SSL_write");
  ERR_clear_error();
  return real(ssl, buffer, size);
}

int SSL_accept(SSL* ssl) {
  static const auto real = libssl<handshake_function>("SSL_accept");
  ERR_clear_error();
  return real(ssl);
}

int SSL_connect(SSL* ssl) {
  static const auto real = libssl<handshake_function>("SSL_connect");
  ERR_clear_error();
  return real(ssl);
}

} // extern "C"
