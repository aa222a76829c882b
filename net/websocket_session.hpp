// One WebSocket client of GET /v1/stream: authenticates (by the upgrade's Authorization
// header, or a first `auth` message within 5 s), subscribes to topics at the event hub,
// and writes the events it is handed, one write at a time from a bounded queue. A client
// that falls that far behind is closed with 1013 and resumes with `since`; it never
// slows the payments down. Pings every 20 s; a client silent for 60 s is dropped.
// Include only from net/ sources.
#pragma once

#include "net/ingress_state.hpp"
#include "net/language.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include <atomic>
#include <chrono>
#include <deque>
#include <memory>
#include <optional>
#include <string>

namespace settle::net {

// What the server asks of every stream when it drains, whatever its transport.
class stream_connection {
public:
  virtual ~stream_connection() = default;

  // Closes the stream with 1001 (the server is going away); clients resume with since.
  virtual void shut_down() = 0;
};

// `Stream` is what the HTTP session ran on: boost::beast::tcp_stream (WS) or an SSL
// stream over it (WSS); both are instantiated in the .cpp.
template <class Stream>
class websocket_session : public stream_connection,
                          public std::enable_shared_from_this<websocket_session<Stream>> {
public:
  using upgrade_request = boost::beast::http::request<boost::beast::http::string_body>;

  websocket_session(Stream stream, std::shared_ptr<ingress_state> state,
                    std::shared_ptr<address_slot> slot);
  ~websocket_session() override;

  void run(upgrade_request request);
  void shut_down() override;

private:
  struct stream_refusal {
    boost::beast::websocket::close_code code;
    const char* reason;
  };

  void on_accept(boost::beast::error_code error, std::optional<stream_refusal> refusal);
  std::optional<stream_refusal> authenticate(std::string_view key);
  void do_read();
  void on_read(boost::beast::error_code error);
  void handle_message(std::string_view text);
  void handle_auth(const std::string& token);
  void handle_subscribe(std::vector<std::string> topics, bool has_since, std::int64_t since);
  void send_frame(std::string frame); // the frame is already counted in backlog_
  void send_own_frame(std::string frame);
  void do_write();
  void close_with(boost::beast::websocket::close_code code, const char* reason);
  void start_heartbeat();
  void unsubscribe();

  boost::beast::websocket::stream<Stream> socket_;
  boost::beast::flat_buffer buffer_;
  std::shared_ptr<ingress_state> state_;
  std::shared_ptr<address_slot> slot_;
  std::deque<std::string> queue_;
  // Frames handed over (by the hub or by this session) and not yet written: posted,
  // queued or being written. Bounded, so a slow client cannot make memory grow.
  std::shared_ptr<std::atomic<std::size_t>> backlog_;
  boost::asio::steady_timer heartbeat_;
  boost::asio::steady_timer authentication_deadline_;
  std::chrono::steady_clock::time_point last_heard_;
  std::optional<requester> who_;
  language language_ = language::english; // of error frames: the upgrade's Accept-Language
  std::uint64_t subscription_ = 0;
  bool writing_ = false;
  bool ping_in_flight_ = false;
  bool closing_ = false;
};

extern template class websocket_session<boost::beast::tcp_stream>;
extern template class websocket_session<boost::beast::ssl_stream<boost::beast::tcp_stream>>;

} // namespace settle::net
