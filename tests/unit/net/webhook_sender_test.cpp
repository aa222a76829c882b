// Tests the webhook sender against real servers on 127.0.0.1, run by Asio in a thread of
// the test: what the server sees, the status whatever it is (3xx not followed, a 1 MiB
// body), the deadline, keep-alive reuse and its retry, the address policy, TLS
// verification, the queue's bound and stopping with a post in flight. Callbacks are
// awaited with generous limits; nothing asserts on time.
#include "net/webhook_sender.hpp"
#include "net/webhook_signature.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <catch2/catch.hpp>

#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using settle::net::webhook_outcome;
using settle::net::webhook_post;
using settle::net::webhook_sender;
using settle::net::webhook_sender_options;

const std::string test_secret = "whsec_test";

constexpr std::chrono::seconds patience{15};

struct seen_request {
  std::string method, target, host, user_agent, content_type, event_seq, signature, body;
};

enum class server_mode {
  keep_alive,         // answers, then reads the next request
  close_after_answer, // answers with Connection: close and closes
  drop_after_answer,  // answers as if kept alive, then closes anyway
  never_answer        // reads the request and holds the connection
};

// A plain HTTP/1.1 server: counts connections, keeps each request, answers `status`.
class test_server {
public:
  explicit test_server(server_mode mode, unsigned status = 200, std::size_t body_size = 2)
    : mode_{mode}, status_{status}, body_size_{body_size} {
    accept();
    thread_ = std::thread{[this] { context_.run(); }};
  }

  ~test_server() {
    context_.stop();
    thread_.join();
  }

  std::string url(const std::string& target = "/") const {
    return "http://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port()) + target;
  }

  std::size_t accepts() const {
    std::lock_guard<std::mutex> guard{mutex_};
    return accepts_;
  }

  std::vector<seen_request> requests() const {
    std::lock_guard<std::mutex> guard{mutex_};
    return requests_;
  }

  bool wait_for_requests(std::size_t count) {
    std::unique_lock<std::mutex> lock{mutex_};
    return changed_.wait_for(lock, patience, [&] { return requests_.size() >= count; });
  }

private:
  struct session {
    explicit session(tcp::socket socket) : stream{std::move(socket)} {}
    beast::tcp_stream stream;
    beast::flat_buffer buffer;
    http::request<http::string_body> request;
  };

  void accept() {
    acceptor_.async_accept([this](beast::error_code error, tcp::socket socket) {
      if (error) {
        return;
      }
      {
        std::lock_guard<std::mutex> guard{mutex_};
        ++accepts_;
      }
      read(std::make_shared<session>(std::move(socket)));
      accept();
    });
  }

  void read(std::shared_ptr<session> client) {
    client->request = {};
    http::async_read(client->stream, client->buffer, client->request,
                     [this, client](beast::error_code error, std::size_t) {
                       if (!error) {
                         record(client->request);
                         mode_ == server_mode::never_answer ? hold(client) : answer(client);
                       }
                     });
  }

  void record(const http::request<http::string_body>& request) {
    std::lock_guard<std::mutex> guard{mutex_};
    requests_.push_back({std::string{request.method_string()}, std::string{request.target()},
                         std::string{request[http::field::host]},
                         std::string{request[http::field::user_agent]},
                         std::string{request[http::field::content_type]},
                         std::string{request["Settle-Event-Seq"]},
                         std::string{request["Settle-Signature"]}, request.body()});
    changed_.notify_all();
  }

  void hold(std::shared_ptr<session> client) { held_.push_back(std::move(client)); }

  void answer(std::shared_ptr<session> client) {
    auto response = std::make_shared<http::response<http::string_body>>(
      static_cast<http::status>(status_), 11);
    if (status_ / 100 == 3) {
      response->set(http::field::location, url("/elsewhere"));
    }
    response->body() = std::string(body_size_, 'x');
    response->keep_alive(mode_ != server_mode::close_after_answer);
    response->prepare_payload();
    http::async_write(client->stream, *response,
                      [this, client, response](beast::error_code error, std::size_t) {
                        if (!error && mode_ == server_mode::keep_alive) {
                          return read(client);
                        }
                        client->stream.close();
                      });
  }

  server_mode mode_;
  unsigned status_;
  std::size_t body_size_;
  asio::io_context context_;
  tcp::acceptor acceptor_{context_, {asio::ip::make_address("127.0.0.1"), 0}};
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::size_t accepts_ = 0;
  std::vector<seen_request> requests_;
  std::vector<std::shared_ptr<session>> held_;
  std::thread thread_;
};

// A self-signed certificate for 127.0.0.1 in a temporary folder, made by the openssl
// command as tests/integration/harness/certificates.cpp does; removed afterwards.
class self_signed_certificate {
public:
  self_signed_certificate() {
    std::string pattern = (std::filesystem::temp_directory_path() / "webhook-tls-XXXXXX").string();
    REQUIRE(mkdtemp(pattern.data()) != nullptr);
    directory_ = pattern;
    auto command = "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes"
                   " -days 1 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 -keyout "
                   + key() + " -out " + certificate() + " >/dev/null 2>&1";
    REQUIRE(std::system(command.c_str()) == 0);
  }
  ~self_signed_certificate() { std::filesystem::remove_all(directory_); }
  std::string certificate() const { return directory_ + "/certificate.pem"; }
  std::string key() const { return directory_ + "/key.pem"; }

private:
  std::string directory_;
};

// A TLS server that only shakes hands: enough for the client to see its certificate.
class tls_test_server {
public:
  explicit tls_test_server(const self_signed_certificate& files) {
    tls_.use_certificate_chain_file(files.certificate());
    tls_.use_private_key_file(files.key(), asio::ssl::context::pem);
    acceptor_.async_accept([this](beast::error_code error, tcp::socket socket) {
      if (error) {
        return;
      }
      stream_ = std::make_unique<asio::ssl::stream<tcp::socket>>(std::move(socket), tls_);
      stream_->async_handshake(asio::ssl::stream_base::server, [](beast::error_code) {});
    });
    thread_ = std::thread{[this] { context_.run(); }};
  }

  ~tls_test_server() {
    context_.stop();
    thread_.join();
  }

  std::string url() const {
    return "https://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port()) + "/";
  }

private:
  asio::io_context context_;
  asio::ssl::context tls_{asio::ssl::context::tls_server};
  tcp::acceptor acceptor_{context_, {asio::ip::make_address("127.0.0.1"), 0}};
  std::unique_ptr<asio::ssl::stream<tcp::socket>> stream_;
  std::thread thread_;
};

webhook_sender_options private_allowed() {
  webhook_sender_options options;
  options.allow_private = true;
  return options;
}

webhook_post event(const std::string& url) {
  return {url, R"({"seq":7,"type":"transfer.settled"})", 7, test_secret};
}

// The outcome's future; its promise is shared, so a late callback never outlives it.
std::future<webhook_outcome> post(webhook_sender& sender, const webhook_post& request) {
  auto promise = std::make_shared<std::promise<webhook_outcome>>();
  auto future = promise->get_future();
  sender.post(request, [promise](webhook_outcome outcome) { promise->set_value(outcome); });
  return future;
}

webhook_outcome post_and_wait(webhook_sender& sender, const webhook_post& request) {
  auto future = post(sender, request);
  REQUIRE(future.wait_for(patience) == std::future_status::ready);
  return future.get();
}

std::optional<std::string> check(webhook_sender& sender, const std::string& url) {
  auto promise = std::make_shared<std::promise<std::optional<std::string>>>();
  auto future = promise->get_future();
  sender.check_address(url, [promise](std::optional<std::string> why) {
    promise->set_value(why);
  });
  REQUIRE(future.wait_for(patience) == std::future_status::ready);
  return future.get();
}

} // namespace

TEST_CASE("the server sees the POST, its headers and body exactly, and its status counts",
          "[webhook_sender]") {
  test_server server{server_mode::keep_alive, 200};
  webhook_sender sender{private_allowed()};
  auto outcome = post_and_wait(sender, event(server.url("/hooks/a?x=1")));
  CHECK(outcome.status_code == 200);
  CHECK(outcome.error.empty());
  auto requests = server.requests();
  REQUIRE(requests.size() == 1);
  CHECK(requests[0].method == "POST");
  CHECK(requests[0].target == "/hooks/a?x=1");
  CHECK(requests[0].host == server.url().substr(7, server.url().size() - 8));
  CHECK(requests[0].user_agent == "Settle-Webhooks/1");
  CHECK(requests[0].content_type == "application/json");
  CHECK(requests[0].event_seq == "7");
  auto now = std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
               .count();
  CHECK(settle::net::verify_webhook_signature(requests[0].signature, test_secret,
                                              requests[0].body, now));
  CHECK(requests[0].body == R"({"seq":7,"type":"transfer.settled"})");
}

TEST_CASE("any status is the outcome: 500, and 302 whose Location is not followed",
          "[webhook_sender]") {
  for (unsigned status : {500u, 302u}) {
    test_server server{server_mode::keep_alive, status};
    webhook_sender sender{private_allowed()};
    CHECK(post_and_wait(sender, event(server.url())).status_code == status);
    CHECK(server.requests().size() == 1);
  }
}

TEST_CASE("a 1 MiB answer still gives its status, and its connection is not reused",
          "[webhook_sender]") {
  test_server server{server_mode::keep_alive, 200, 1024 * 1024};
  webhook_sender sender{private_allowed()};
  CHECK(post_and_wait(sender, event(server.url())).status_code == 200);
  CHECK(post_and_wait(sender, event(server.url())).status_code == 200);
  CHECK(server.accepts() == 2);
}

TEST_CASE("a server that never answers times out", "[webhook_sender]") {
  test_server server{server_mode::never_answer};
  auto options = private_allowed();
  options.timeout = std::chrono::milliseconds{300};
  webhook_sender sender{options};
  auto outcome = post_and_wait(sender, event(server.url()));
  CHECK(outcome.status_code == 0);
  CHECK(outcome.error == "timed out");
}

TEST_CASE("a kept-alive connection serves the next post", "[webhook_sender]") {
  test_server server{server_mode::keep_alive};
  webhook_sender sender{private_allowed()};
  CHECK(post_and_wait(sender, event(server.url())).status_code == 200);
  CHECK(post_and_wait(sender, event(server.url())).status_code == 200);
  CHECK(server.accepts() == 1);
  CHECK(server.requests().size() == 2);
}

TEST_CASE("a server that closes after each answer gets a new connection per post",
          "[webhook_sender]") {
  test_server server{server_mode::close_after_answer};
  webhook_sender sender{private_allowed()};
  CHECK(post_and_wait(sender, event(server.url())).status_code == 200);
  CHECK(post_and_wait(sender, event(server.url())).status_code == 200);
  CHECK(server.accepts() == 2);
}

TEST_CASE("a kept connection the server closed meanwhile is retried on a new one",
          "[webhook_sender]") {
  test_server server{server_mode::drop_after_answer};
  webhook_sender sender{private_allowed()};
  CHECK(post_and_wait(sender, event(server.url())).status_code == 200);
  auto second = post_and_wait(sender, event(server.url()));
  CHECK(second.status_code == 200);
  CHECK(second.error.empty());
  CHECK(server.accepts() == 2);
  CHECK(server.requests().size() == 2);
}

TEST_CASE("without allow_private a loopback address is refused before any connection",
          "[webhook_sender]") {
  test_server server{server_mode::keep_alive};
  webhook_sender sender{webhook_sender_options{}};
  auto outcome = post_and_wait(sender, event(server.url()));
  CHECK(outcome.status_code == 0);
  CHECK(outcome.error == "address not allowed: 127.0.0.1");
  CHECK(server.accepts() == 0);
}

TEST_CASE("check_address refuses private and unresolvable hosts, accepts public literals",
          "[webhook_sender]") {
  webhook_sender sender{webhook_sender_options{}};
  for (const char* refused : {"http://127.0.0.1/", "http://localhost/", "http://[::1]/",
                              "http://10.1.2.3:8080/x", "http://no-such-host.invalid/",
                              "ftp://93.184.216.34/"}) {
    INFO(refused);
    auto why = check(sender, refused);
    REQUIRE(why.has_value());
    CHECK_FALSE(why->empty());
  }
  CHECK(check(sender, "http://127.0.0.1/")->find("127.0.0.1") != std::string::npos);
  CHECK(check(sender, "https://93.184.216.34/") == std::nullopt);
  CHECK(check(sender, "http://[2606:2800:220:1:248:1893:25c8:1946]:8443/") == std::nullopt);

  webhook_sender permissive{private_allowed()};
  CHECK(check(permissive, "http://127.0.0.1/") == std::nullopt);
  CHECK(check(permissive, "http://localhost/") == std::nullopt);
  CHECK(check(permissive, "http://no-such-host.invalid/").has_value());
}

TEST_CASE("HTTPS to a certificate the system does not trust fails verification",
          "[webhook_sender]") {
  self_signed_certificate files;
  tls_test_server server{files};
  webhook_sender sender{private_allowed()};
  auto outcome = post_and_wait(sender, event(server.url()));
  CHECK(outcome.status_code == 0);
  CHECK(outcome.error.find("certificate verify failed") != std::string::npos);
}

TEST_CASE("beyond max_waiting a post is refused at once; stopping pays the others",
          "[webhook_sender]") {
  test_server server{server_mode::never_answer};
  auto options = private_allowed();
  options.max_in_flight = 1;
  options.max_waiting = 1;
  std::future<webhook_outcome> first, second;
  {
    webhook_sender sender{options};
    first = post(sender, event(server.url()));
    second = post(sender, event(server.url()));
    auto third = post(sender, event(server.url()));
    REQUIRE(third.wait_for(patience) == std::future_status::ready);
    auto refused = third.get();
    CHECK(refused.status_code == 0);
    CHECK(refused.error == "too many deliveries waiting");
    REQUIRE(server.wait_for_requests(1));
  }
  REQUIRE(first.wait_for(std::chrono::seconds{0}) == std::future_status::ready);
  REQUIRE(second.wait_for(std::chrono::seconds{0}) == std::future_status::ready);
  CHECK(first.get().error == "stopped");
  CHECK(second.get().error == "stopped");
  CHECK(server.requests().size() == 1);
}

TEST_CASE("the destructor with a post in flight returns, and the post is told",
          "[webhook_sender]") {
  test_server server{server_mode::never_answer};
  std::future<webhook_outcome> pending;
  {
    webhook_sender sender{private_allowed()}; // the default 10 s deadline is not waited for
    pending = post(sender, event(server.url()));
    REQUIRE(server.wait_for_requests(1));
  }
  REQUIRE(pending.wait_for(std::chrono::seconds{0}) == std::future_status::ready);
  auto outcome = pending.get();
  CHECK(outcome.status_code == 0);
  CHECK(outcome.error == "stopped");
}

TEST_CASE("webhook URLs: http(s) with a host only", "[webhook_sender]") {
  using settle::net::parse_webhook_url;
  std::string why;
  auto url = parse_webhook_url("https://example.com/hooks/in?a=1&b=2", why);
  REQUIRE(url);
  CHECK(url->scheme == "https");
  CHECK(url->host == "example.com");
  CHECK(url->port == "443");
  CHECK(url->target == "/hooks/in?a=1&b=2");
  url = parse_webhook_url("http://example.com", why);
  REQUIRE(url);
  CHECK(url->port == "80");
  CHECK(url->target == "/");
  url = parse_webhook_url("http://[::1]:8080/x", why);
  REQUIRE(url);
  CHECK(url->host == "::1");
  CHECK(url->port == "8080");
  url = parse_webhook_url("HTTP://93.184.216.34:65535?q", why);
  REQUIRE(url);
  CHECK(url->scheme == "http");
  CHECK(url->host == "93.184.216.34");
  CHECK(url->target == "/?q");
  auto longest = "https://example.com/" + std::string(2048 - 20, 'a');
  CHECK(parse_webhook_url(longest, why));

  for (const std::string& refused :
       {std::string{"ftp://example.com/"}, std::string{"http:///path"},
        std::string{"http:example.com"}, std::string{"http://user:pass@example.com/"},
        std::string{"http://user@example.com/"}, std::string{"http://example.com/#part"},
        longest + "a", std::string{"http://example.com:70000/"},
        std::string{"http://example.com:0/"}, std::string{"http://example.com:8x/"},
        std::string{"example.com/hook"}, std::string{"/hook"}, std::string{""},
        std::string{"http://exa mple.com/"}, std::string{"http://[v1.x]/"}}) {
    INFO(refused);
    why.clear();
    CHECK_FALSE(parse_webhook_url(refused, why));
    CHECK_FALSE(why.empty());
  }
  parse_webhook_url("ftp://example.com/", why);
  CHECK(why == "url must be an http:// or https:// URL");
  parse_webhook_url("http://a:b@example.com/", why);
  CHECK(why.find("password") != std::string::npos);
  parse_webhook_url("http://example.com:70000/", why);
  CHECK(why.find("port") != std::string::npos);
}
