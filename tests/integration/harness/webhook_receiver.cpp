#include "tests/integration/harness/webhook_receiver.hpp"

#include "tests/integration/harness/json_helpers.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <stdexcept>

namespace settle::integration {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;

std::string hmac_hex(const std::string& key, const std::string& message) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), digest, &length);
  std::string hex;
  char pair[3];
  for (unsigned int i = 0; i < length; ++i) {
    std::snprintf(pair, sizeof pair, "%02x", digest[i]);
    hex += pair;
  }
  return hex;
}

// The value after `name=` in a comma-separated header, or empty.
std::string header_part(const std::string& header, const std::string& name) {
  std::size_t start = 0;
  while (start <= header.size()) {
    auto end = header.find(',', start);
    auto part = header.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (part.rfind(name + "=", 0) == 0) {
      return part.substr(name.size() + 1);
    }
    if (end == std::string::npos) {
      break;
    }
    start = end + 1;
  }
  return {};
}

int listen_on_loopback(std::uint16_t& port) {
  int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof address;
  if (listener < 0 || ::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0
      || ::listen(listener, 64) != 0
      || ::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    throw std::runtime_error{"the webhook receiver cannot listen on 127.0.0.1"};
  }
  port = ntohs(address.sin_port);
  return listener;
}

}  // namespace

bool valid_webhook_signature(const std::string& header, const std::string& secret,
                             const std::string& body) {
  auto time = header_part(header, "t");
  auto digest = header_part(header, "v1");
  if (time.empty() || digest.size() != 64) {
    return false;
  }
  long long sent = 0;
  try {
    sent = std::stoll(time);
  } catch (const std::exception&) {
    return false;
  }
  auto now = std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
               .count();
  if (sent < now - 300 || sent > now + 300) {
    return false;
  }
  auto expected = hmac_hex(secret, time + "." + body);
  return CRYPTO_memcmp(expected.data(), digest.data(), expected.size()) == 0;
}

webhook_receiver::webhook_receiver(webhook_script script) : script_(std::move(script)) {
  listener_ = listen_on_loopback(port_);
  acceptor_ = std::thread{[this] { accept_loop(); }};
}

webhook_receiver::~webhook_receiver() {
  {
    std::lock_guard lock{mutex_};
    stopping_ = true;
    for (int connection : connections_) {
      ::shutdown(connection, SHUT_RDWR);
    }
  }
  changed_.notify_all();
  ::shutdown(listener_, SHUT_RDWR);
  acceptor_.join();
  ::close(listener_);
  for (auto& thread : threads_) {
    thread.join();
  }
  for (int connection : connections_) {
    ::close(connection);
  }
}

std::string webhook_receiver::url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + path;
}

void webhook_receiver::set_secret(std::string secret) {
  std::lock_guard lock{mutex_};
  secret_ = std::move(secret);
}

std::vector<received_webhook> webhook_receiver::received() const {
  std::lock_guard lock{mutex_};
  return received_;
}

std::vector<received_webhook>
webhook_receiver::wait_for(const std::function<bool(const std::vector<received_webhook>&)>& done,
                           std::chrono::seconds timeout) const {
  std::unique_lock lock{mutex_};
  changed_.wait_for(lock, timeout, [&] { return done(received_); });
  return received_;
}

void webhook_receiver::accept_loop() {
  while (!stopping_) {
    int connection = ::accept(listener_, nullptr, nullptr);
    if (connection < 0) {
      continue; // stopping, or an aborted handshake
    }
    std::lock_guard lock{mutex_};
    if (stopping_) {
      ::close(connection);
      break;
    }
    ++accepted_;
    connections_.push_back(connection);
    threads_.emplace_back([this, connection] { serve(connection); });
  }
}

void webhook_receiver::record(const std::string& target, const std::string& body,
                              const std::string& seq, const std::string& signature) {
  received_webhook webhook;
  webhook.target = target;
  webhook.at = std::chrono::steady_clock::now();
  try {
    webhook.header_seq = std::stoll(seq);
    webhook.body = parse_json(body).as_object();
    webhook.seq = webhook.body.at("seq").as_int64();
    webhook.event = std::string{webhook.body.at("event").as_string()};
  } catch (const std::exception&) {
    // Recorded as it is: the test's checks on seq and event then fail.
  }
  std::lock_guard lock{mutex_};
  webhook.signature_valid = valid_webhook_signature(signature, secret_, body);
  received_.push_back(std::move(webhook));
}

void webhook_receiver::serve(int connection) {
  asio::io_context context;
  asio::ip::tcp::socket socket{context};
  socket.assign(asio::ip::tcp::v4(), connection);
  boost::beast::flat_buffer buffer;
  for (;;) {
    http::request<http::string_body> request;
    boost::system::error_code error;
    http::read(socket, buffer, request, error);
    if (error) {
      break;
    }
    std::size_t number = 0;
    {
      std::lock_guard lock{mutex_};
      number = requests_++;
    }
    record(std::string{request.target()}, request.body(),
           std::string{request["Settle-Event-Seq"]}, std::string{request["Settle-Signature"]});
    changed_.notify_all();
    auto status = script_(number);
    if (status == 0) {
      std::unique_lock lock{mutex_};
      changed_.wait(lock, [this] { return stopping_.load(); });
      break;
    }
    http::response<http::string_body> response{static_cast<http::status>(status), 11};
    response.keep_alive(request.keep_alive());
    response.body() = "ok";
    response.prepare_payload();
    http::write(socket, response, error);
    if (error || !response.keep_alive()) {
      break;
    }
  }
  // The client sees the end now; the descriptor stays open until the destructor has
  // joined this thread, so that it never shuts down a number reused meanwhile.
  boost::system::error_code ignored;
  socket.release(ignored);
  ::shutdown(connection, SHUT_RDWR);
}

}  // namespace settle::integration
