// One HTTP/1.1 connection: reads a request (header, then a body within its limit),
// answers it, and reads the next while the connection is kept alive. A request for
// the actors is sent to the gateway without waiting; the answer comes back through a
// callback that posts to this connection's strand. Over plain TCP or TLS (HTTPS): the
// session is written once for both streams, as Beast's own servers are. Include only
// from net/ sources.
#pragma once

#include "net/ingress_state.hpp"
#include "net/router.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>

namespace settle::net {

inline constexpr std::string_view api_content_type = "application/json";

// What the server asks of every connection when it drains, whatever its transport.
class http_connection {
public:
  virtual ~http_connection() = default;

  // Closes the connection if no request is being answered and none was for `quiet`
  // (draining at shutdown).
  virtual void close_if_idle(std::chrono::steady_clock::duration quiet) = 0;
};

using tls_stream = boost::beast::ssl_stream<boost::beast::tcp_stream>;

// `Stream` is boost::beast::tcp_stream or tls_stream (both instantiated in the .cpp).
template <class Stream>
class http_session : public http_connection,
                     public std::enable_shared_from_this<http_session<Stream>> {
public:
  http_session(Stream stream, std::shared_ptr<ingress_state> state,
               std::shared_ptr<address_slot> slot);
  ~http_session() override;

  void run();
  void close_if_idle(std::chrono::steady_clock::duration quiet) override;

private:
  static constexpr bool is_tls = std::is_same_v<Stream, tls_stream>;

  void start();
  using request_parser = boost::beast::http::request_parser<boost::beast::http::string_body>;
  using response = boost::beast::http::response<boost::beast::http::string_body>;

  void do_read_header();
  void read_header();
  void on_read_header(boost::beast::error_code error);
  void on_read_body(boost::beast::error_code error);
  void handle_request();
  void handle_api(const route_match& match, route_input input, const std::string& path);
  void handle_readiness();
  void send_to_gateway(api_request request, std::shared_ptr<admission::ticket> ticket);
  void on_gateway_answer(std::uint64_t generation, api_response answer);
  bool refuse_before_body();
  void refuse_unread(const failure& reason);

  void send_error(const failure& reason);
  void send_unmatched(const route_match& match, const std::string& path);
  // API answers (JSON) have their error messages in the request's Accept-Language.
  void send(unsigned status, std::string body, std::string_view content_type = api_content_type);
  void on_write(bool close, boost::beast::error_code error);
  void close();
  void linger_then_close();

  Stream stream_;
  boost::beast::flat_buffer buffer_;
  std::optional<request_parser> parser_;
  response response_;
  std::shared_ptr<ingress_state> state_;
  std::shared_ptr<address_slot> slot_;
  boost::asio::steady_timer answer_timer_;
  std::chrono::steady_clock::time_point started_;
  std::string route_label_;
  std::string allow_header_;
  std::optional<requester> who_; // the request's key, known from its header
  std::string key_;
  std::int64_t retry_after_ = 1; // seconds, for a 429 or 503
  bool replayed_ = false;
  bool busy_ = false;
  std::chrono::steady_clock::time_point idle_since_ = std::chrono::steady_clock::now();
  bool first_request_ = true;
  bool body_unread_ = false; // answered before reading the body (401, 413, 429)
  std::size_t lingered_bytes_ = 0;
  std::uint64_t generation_ = 0; // identifies the request an answer belongs to
};

extern template class http_session<boost::beast::tcp_stream>;
extern template class http_session<tls_stream>;

} // namespace settle::net
