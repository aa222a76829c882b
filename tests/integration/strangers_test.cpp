// What a client without a key, or with a key beyond its limits, costs the node (the
// contract's Trust boundary): a 401 before the body is read, no label value for a made-up
// method, a bounded number of connections per address, a header deadline on every request,
// rate limits per key (HTTP and the stream's authentication), and bounded work in flight.
#include "tests/integration/harness/testing.hpp"
#include "tests/integration/harness/websocket_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include <sys/socket.h>
#include <sys/time.h>

#include <atomic>
#include <cerrno>
#include <thread>

using namespace settle::integration;
namespace json = boost::json;
namespace asio = boost::asio;

namespace {

// A TCP connection that writes raw bytes and reads what comes back within a deadline.
class raw_connection {
 public:
  explicit raw_connection(std::uint16_t port) : socket_(context_) {
    socket_.connect({asio::ip::make_address("127.0.0.1"), port});
  }

  void write(const std::string& bytes) { asio::write(socket_, asio::buffer(bytes)); }

  // What arrives until the server closes, `enough` bytes have come, or `wait` passes.
  std::string read_for(std::chrono::milliseconds wait, std::size_t enough = 1 << 20) {
    timeval timeout{static_cast<time_t>(wait.count() / 1000), static_cast<suseconds_t>((wait.count() % 1000) * 1000)};
    ::setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    std::string received;
    const auto deadline = std::chrono::steady_clock::now() + wait;
    char chunk[4096];
    while (received.size() < enough && std::chrono::steady_clock::now() < deadline) {
      const auto count = ::recv(socket_.native_handle(), chunk, sizeof chunk, 0);
      if (count <= 0) {
        // The end of the stream, or a reset; not the receive timeout.
        closed_ = count == 0 || (errno != EAGAIN && errno != EWOULDBLOCK);
        break;
      }
      received.append(chunk, static_cast<std::size_t>(count));
    }
    return received;
  }

  bool closed() const { return closed_; }

 private:
  asio::io_context context_;
  asio::ip::tcp::socket socket_;
  bool closed_ = false;
};

const std::string healthz_request = "GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n";

std::int64_t retry_after_of(const http_response& response) {
  const auto header = response.header("Retry-After");
  return header ? std::stoll(*header) : -1;
}

}  // namespace

TEST_CASE("a request without a key is answered 401 before its body is sent", "[strangers][auth]") {
  auto& server = shared_server();
  raw_connection connection(server.port());
  connection.write("POST /v1/transfers/batch HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
                   "Content-Length: 1048576\r\n\r\n");
  const auto answer = connection.read_for(std::chrono::seconds(5), 12);
  CHECK(answer.rfind("HTTP/1.1 401", 0) == 0);
  // A wrong key is a stranger too.
  raw_connection wrong_key(server.port());
  wrong_key.write("POST /v1/users HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer sk_made_up\r\n"
                  "Content-Length: 1048576\r\n\r\n");
  CHECK(wrong_key.read_for(std::chrono::seconds(5), 12).rfind("HTTP/1.1 401", 0) == 0);
  CHECK_STATUS(server.acme().get("/v1/accounts"), 200);
}

TEST_CASE("a header over 16 KiB is answered 431 header_too_large and the connection closed",
          "[strangers][http]") {
  auto& server = shared_server();
  // A GET /healthz whose header is `total` bytes long, padded by one field.
  const auto request_of = [](std::size_t total) {
    const std::string start = "GET /healthz HTTP/1.1\r\nHost: test\r\nX-Padding: ";
    const std::string end = "\r\n\r\n";
    return start + std::string(total - start.size() - end.size(), 'p') + end;
  };
  raw_connection within(server.port());
  within.write(request_of(16 * 1024 - 64));
  CHECK(within.read_for(std::chrono::seconds(5), 12).rfind("HTTP/1.1 200", 0) == 0);
  for (const auto& oversized : {request_of(16 * 1024 + 64),
                                "GET /healthz?" + std::string(17 * 1024, 'q') + " HTTP/1.1\r\n"}) {
    raw_connection beyond(server.port());
    beyond.write(oversized);
    const auto answer = beyond.read_for(std::chrono::seconds(5));
    CHECK(answer.rfind("HTTP/1.1 431", 0) == 0);
    CHECK(answer.find(R"("code":"header_too_large")") != std::string::npos);
    CHECK(beyond.closed());
  }
  CHECK_STATUS(server.acme().get("/v1/accounts"), 200);
}

TEST_CASE("made-up methods add no label values to /metrics", "[strangers][operations]") {
  auto& server = shared_server();
  auto& anonymous = server.anonymous();
  const auto before = anonymous.get("/metrics");
  REQUIRE_STATUS(before, 200);
  for (int index = 0; index < 300; ++index) {
    const auto method = "MADEUP" + std::to_string(index);
    const auto answer = anonymous.send(method, index % 2 == 0 ? "/v1/users" : "/healthz", "", {});
    CHECK(answer.status >= 400);
    CHECK(answer.status < 500);
  }
  const auto after = anonymous.get("/metrics");
  REQUIRE_STATUS(after, 200);
  CHECK(after.body.find("MADEUP") == std::string::npos);
  // A few new series at most (method "other" with its statuses), not one per request.
  CHECK(after.body.size() < before.body.size() + 4096);
}

TEST_CASE("connections from one address are bounded; a closed one frees its place", "[strangers][http]") {
  test_server server({"--http.max-connections-per-address=4"});
  std::vector<std::unique_ptr<raw_connection>> open;
  for (int index = 0; index < 4; ++index) {
    open.push_back(std::make_unique<raw_connection>(server.port()));
    open.back()->write(healthz_request);
    REQUIRE(open.back()->read_for(std::chrono::seconds(5), 12).rfind("HTTP/1.1 200", 0) == 0);
  }
  raw_connection fifth(server.port());
  fifth.write(healthz_request);
  CHECK(fifth.read_for(std::chrono::seconds(5)).empty());
  CHECK(fifth.closed());
  open.pop_back();
  // The server notices the close on its own time: a new connection is served soon after.
  bool served = false;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!served && std::chrono::steady_clock::now() < deadline) {
    raw_connection again(server.port());
    again.write(healthz_request);
    served = again.read_for(std::chrono::seconds(1), 12).rfind("HTTP/1.1 200", 0) == 0;
  }
  CHECK(served);
}

TEST_CASE("a kept-alive connection has the header deadline for every request", "[strangers][http]") {
  test_server server({"--http.header-timeout=1", "--http.idle-timeout=60"});
  raw_connection connection(server.port());
  connection.write(healthz_request);
  REQUIRE(connection.read_for(std::chrono::seconds(5), 12).rfind("HTTP/1.1 200", 0) == 0);
  // The next request begins and never ends: closed after the header deadline, not the idle one.
  connection.write("GET /healthz HTTP/1.1\r\nHost: te");
  const auto started = std::chrono::steady_clock::now();
  CHECK(connection.read_for(std::chrono::seconds(20)).empty());
  CHECK(connection.closed());
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(20));
}

TEST_CASE("beyond its rate limit a key is answered 429 with Retry-After; other keys are served",
          "[strangers][rate_limit]") {
  test_server server({"--auth.rate-limit=5"});
  auto& acme = server.acme();
  int limited = 0;
  for (int index = 0; index < 40; ++index) {
    const auto answer = acme.get("/v1/accounts");
    if (answer.status == 429) {
      ++limited;
      CHECK_ERROR(answer, 429, "rate_limited", no_param);
      CHECK(retry_after_of(answer) >= 1);
    } else {
      CHECK_STATUS(answer, 200);
    }
  }
  CHECK(limited >= 30); // a burst of 5, then a few tokens a second at most
  // A limited key's body is not read either.
  CHECK_ERROR(acme.post("/v1/users", json::object{{"name", "Limited"}, {"email", unique_email()}}), 429,
              "rate_limited", no_param);
  // Another key is not limited by acme's load.
  CHECK_STATUS(server.globex().get("/v1/accounts"), 200);
  // The stream's authentication counts too: closed with 1013, try again later.
  websocket_client stream(server.port(), acme_key);
  const auto message = stream.read(std::chrono::seconds(5));
  CHECK(message.what == websocket_message::kind::closed);
  CHECK(message.close_code == 1013);
  // Tokens come back with time.
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  CHECK_STATUS(acme.get("/v1/accounts"), 200);
}

TEST_CASE("work in flight is bounded per key: batches beyond it are 429, the ledger stays exact",
          "[strangers][batch][money]") {
  test_server server({"--http.max-work-per-key=1000"});
  auto& acme = server.acme();
  const auto from = funded_account(acme, 1000000);
  const auto to = new_account(acme);
  json::array items;
  for (int index = 0; index < 1000; ++index) {
    items.push_back(transfer_request(from, to, 1));
  }
  const json::object batch{{"atomic", false}, {"transfers", items}};
  std::atomic<int> settled{0};
  std::atomic<int> refused{0};
  std::atomic<int> other{0};
  std::vector<std::thread> senders;
  for (int sender = 0; sender < 6; ++sender) {
    senders.emplace_back([&] {
      auto client = server.new_client(acme_key);
      for (int round = 0; round < 3; ++round) {
        const auto answer = client->post("/v1/transfers/batch", batch);
        if (answer.status == 200) {
          ++settled;
        } else if (answer.status == 429 && retry_after_of(answer) >= 1 &&
                   answer.body.find("rate_limited") != std::string::npos) {
          ++refused;
        } else {
          ++other;
        }
      }
    });
  }
  for (auto& sender : senders) {
    sender.join();
  }
  INFO(settled << " batches settled, " << refused << " refused");
  CHECK(other == 0);
  CHECK(settled + refused == 18);
  CHECK(balance_of(acme, to) == 1000 * settled);
  CHECK(balance_of(acme, from) == 1000000 - 1000 * settled);
  // Every ticket was given back: the key is admitted again.
  CHECK_STATUS(acme.post("/v1/transfers/batch", batch), 200);
  CHECK(audit(server.admin()).at("ok") == true);
}
