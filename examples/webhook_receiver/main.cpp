// A merchant's webhook receiver in one page (docs/WEBHOOKS.md): an HTTP server on
// 127.0.0.1 that verifies each request's Settle-Signature, refuses old or forged ones,
// drops events it has already processed, and prints one line per new event.
//
//   SETTLE_WEBHOOK_SECRET=whsec_... settle_webhook_receiver_example LISTEN_PORT
//
// The secret is the endpoint's, shown once in the answer that created it. It comes from
// the environment rather than the command line, which every user of the machine can read
// (ps). Port 0 takes any free port; the first line printed is the address listened on.
// SIGTERM or SIGINT stops the receiver.
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <pthread.h>
#include <signal.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <iostream>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

namespace asio = boost::asio;
namespace http = boost::beast::http;
namespace json = boost::json;
using tcp = asio::ip::tcp;

namespace {

constexpr std::int64_t tolerance_seconds = 300; // a recorded request cannot be replayed later

std::string hmac_sha256_hex(std::string_view key, std::string_view message) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), digest, &size);
  std::string hex;
  char pair[3];
  for (unsigned int i = 0; i < size; ++i) {
    std::snprintf(pair, sizeof pair, "%02x", digest[i]);
    hex += pair;
  }
  return hex;
}

// The value of `name=` in "t=...,v1=...", or empty.
std::string_view signature_part(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    auto part = header.substr(0, header.find(','));
    if (part.size() > name.size() && part.substr(0, name.size()) == name
        && part[name.size()] == '=') {
      return part.substr(name.size() + 1);
    }
    header.remove_prefix(std::min(header.size(), part.size() + 1));
  }
  return {};
}

// Why the request does not come from Settle, recently; empty when it does. The digest
// covers the raw body exactly as received, so this runs before the body is parsed.
std::string signature_problem(std::string_view header, const std::string& secret,
                              std::string_view body) {
  auto timestamp = signature_part(header, "t");
  auto given = signature_part(header, "v1");
  std::int64_t sent = -1;
  const char* timestamp_end = timestamp.data() + timestamp.size();
  auto [end, error] = std::from_chars(timestamp.data(), timestamp_end, sent);
  if (error != std::errc{} || end != timestamp_end || sent < 0 || given.empty()) {
    return "no valid Settle-Signature header";
  }
  auto age = static_cast<std::int64_t>(std::time(nullptr)) - sent;
  if (age > tolerance_seconds || age < -tolerance_seconds) {
    return "timestamp " + std::string{timestamp} + " is "
           + std::to_string(age < 0 ? -age : age) + " s from now (more than "
           + std::to_string(tolerance_seconds) + ")";
  }
  auto expected = hmac_sha256_hex(secret, std::string{timestamp} + "." + std::string{body});
  // In constant time: how many leading digits match must not show in the answer's timing.
  if (given.size() != expected.size()
      || CRYPTO_memcmp(given.data(), expected.data(), expected.size()) != 0) {
    return "signature does not match";
  }
  return {};
}

// "trf_... 2500 USD" for a transfer.settled, the object's id for the other events.
std::string describe(const json::object& event) {
  const auto& object = event.at("object").as_object();
  std::string line = json::value_to<std::string>(object.at("id"));
  if (event.at("event").as_string() == "transfer.settled") {
    line += " " + std::to_string(object.at("amount").to_number<std::int64_t>()) + " "
            + json::value_to<std::string>(object.at("currency"));
  }
  return line;
}

// What the receiver remembers, for the one endpoint whose secret it has. Settle sends an
// endpoint's events one at a time, in increasing seq, the next only once the previous one
// was answered 2xx (or given up): so a repeat (a lost answer, a manual retry) has a seq at
// most the highest one processed, and that number is all it takes to recognize repeats.
// In production, store it in the same transaction as the event's work.
struct receiver {
  std::string secret;
  std::mutex mutex; // one request is handled at a time, its line printed whole
  std::int64_t highest_seq = 0;

  http::status handle(const http::request<http::string_body>& request) {
    if (request.method() != http::verb::post) {
      return http::status::method_not_allowed;
    }
    std::lock_guard lock{mutex};
    auto problem = signature_problem(request["Settle-Signature"], secret, request.body());
    if (!problem.empty()) {
      return reject(problem);
    }
    std::int64_t seq = 0;
    json::object event;
    try {
      event = json::parse(request.body()).as_object();
      seq = event.at("seq").to_number<std::int64_t>();
      describe(event); // throws for a body that is not an event
    } catch (const std::exception&) {
      return reject("the body is not a Settle event");
    }
    // The header is not signed, the body is: the seq used is the body's.
    if (request["Settle-Event-Seq"] != std::to_string(seq)) {
      return reject("Settle-Event-Seq differs from the body's seq");
    }
    if (seq <= highest_seq) {
      std::cout << "duplicate " << seq << std::endl; // answered 2xx, or Settle sends it again
      return http::status::ok;
    }
    highest_seq = seq;
    // Answer within seconds: in production, queue the event here and do the work
    // elsewhere; a slow answer holds back the endpoint's next events.
    std::cout << "event " << seq << " " << json::value_to<std::string>(event.at("event")) << " "
              << describe(event) << std::endl;
    return http::status::ok;
  }

  http::status reject(const std::string& why) {
    std::cout << "rejected: " << why << std::endl;
    return http::status::bad_request;
  }
};

// Answers the requests of one connection until it closes: Settle keeps connections alive
// and sends the next event on the same one.
void serve(tcp::socket socket, receiver& state) {
  boost::beast::flat_buffer buffer;
  boost::system::error_code error;
  for (;;) {
    http::request<http::string_body> request;
    http::read(socket, buffer, request, error);
    if (error) {
      return; // closed by the client, or not HTTP
    }
    http::response<http::string_body> response{state.handle(request), request.version()};
    if (response.result() == http::status::method_not_allowed) {
      response.set(http::field::allow, "POST");
    }
    response.keep_alive(request.keep_alive());
    response.prepare_payload();
    http::write(socket, response, error);
    if (error || !response.keep_alive()) {
      return;
    }
  }
}

// A thread per connection: Settle holds its connection open between events, and another
// client (a second endpoint, curl) must not wait for it to close.
void accept_forever(tcp::acceptor& acceptor, receiver& state) {
  for (;;) {
    tcp::socket socket{acceptor.get_executor()};
    boost::system::error_code error;
    acceptor.accept(socket, error);
    if (!error) {
      std::thread{serve, std::move(socket), std::ref(state)}.detach();
    }
  }
}

} // namespace

int main(int argc, char** argv) {
  const char* secret = std::getenv("SETTLE_WEBHOOK_SECRET");
  std::string_view port_text = argc == 2 ? argv[1] : "";
  unsigned short port = 0;
  auto [end, error] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || error != std::errc{} || end != port_text.data() + port_text.size()
      || secret == nullptr || std::string_view{secret}.substr(0, 6) != "whsec_") {
    std::cerr << "usage: SETTLE_WEBHOOK_SECRET=whsec_... " << argv[0] << " LISTEN_PORT\n"
              << "(the whole secret of the endpoint, whsec_ included; port 0: any free one)\n";
    return 2;
  }
  // Blocked before any thread starts, so every thread inherits the mask and only
  // sigwait below receives them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  receiver state;
  state.secret = secret;
  asio::io_context context;
  tcp::acceptor acceptor{context};
  try {
    acceptor = tcp::acceptor{context, {asio::ip::address_v4::loopback(), port}};
  } catch (const boost::system::system_error& failure) {
    std::cerr << "cannot listen on 127.0.0.1:" << port << ": " << failure.code().message()
              << "\n";
    return 1;
  }
  std::cout << "listening on http://127.0.0.1:" << acceptor.local_endpoint().port() << "/"
            << std::endl;
  std::thread{accept_forever, std::ref(acceptor), std::ref(state)}.detach();

  int received = 0;
  sigwait(&stop_signals, &received);
  // With the lock held no event is half handled. Whatever request is unanswered now,
  // Settle sends again later, so exiting at once loses nothing.
  std::lock_guard lock{state.mutex};
  std::cout << "stopped" << std::endl;
  std::_Exit(EXIT_SUCCESS);
}
