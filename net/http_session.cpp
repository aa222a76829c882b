// The HTTP session. Every step checks its error first; end of stream and a cancelled
// operation are ordinary endings of a connection, not failures.
#include "net/http_session.hpp"

#include "domain/clock.hpp"
#include "domain/ids.hpp"
#include "domain/log.hpp"
#include "domain/metrics.hpp"
#include "domain/request_deadline.hpp"
#include "domain/validation.hpp"
#include "net/error_mapping.hpp"
#include "net/fingerprint.hpp"
#include "net/json_renderer.hpp"
#include "net/localized_errors.hpp"
#include "net/websocket_session.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/ssl/stream_base.hpp>
#include <boost/json.hpp>

#include <caf/all.hpp>

#include <algorithm>
#include <cctype>

namespace settle::net {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;

constexpr std::size_t header_limit = 16 * 1024;

bool is_json_media_type(std::string_view content_type) {
  auto semicolon = content_type.find(';');
  auto media = content_type.substr(0, semicolon);
  while (!media.empty() && media.back() == ' ') {
    media.remove_suffix(1);
  }
  return beast::iequals(media, "application/json");
}

// The method as a metrics label: a fixed set, so that made-up methods add no label value.
const char* method_label(http::verb method) {
  switch (method) {
    case http::verb::get:
      return "GET";
    case http::verb::post:
      return "POST";
    case http::verb::put:
      return "PUT";
    case http::verb::delete_:
      return "DELETE";
    case http::verb::options:
      return "OPTIONS";
    case http::verb::head:
      return "HEAD";
    case http::verb::patch:
      return "PATCH";
    default:
      return "other";
  }
}

// The request's id, echoed as X-Request-Id and named in the log: the client's own when it
// sent a plausible one (1 to 128 letters, digits, '.', '_', ':' or '-'), else a new one.
std::string request_id_of(std::string_view given) {
  bool plausible = !given.empty() && given.size() <= 128
                   && std::all_of(given.begin(), given.end(), [](char c) {
                        return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.'
                               || c == '_' || c == ':' || c == '-';
                      });
  return plausible ? std::string{given} : generate_id("req_");
}

bool is_api_path(std::string_view path) {
  return path == "/v1" || path.rfind("/v1/", 0) == 0;
}

// What a request weighs in the admission's bounds: a batch its items, anything else one.
std::size_t weight_of(const command& built) {
  if (const auto* batch = std::get_if<transfer_batch_command>(&built)) {
    return std::max<std::size_t>(batch->items.size(), 1);
  }
  return 1;
}

bool origin_allowed(const config::http_options& options, std::string_view origin) {
  for (const auto& allowed : options.cors_origins) {
    if (allowed == "*" || allowed == origin) {
      return true;
    }
  }
  return false;
}

} // namespace

template <class Stream>
http_session<Stream>::http_session(Stream stream, std::shared_ptr<ingress_state> state,
                                   std::shared_ptr<address_slot> slot)
  : stream_(std::move(stream)),
    state_(std::move(state)),
    slot_(std::move(slot)),
    answer_timer_(stream_.get_executor()) {
  ++state_->open_connections;
}

template <class Stream>
http_session<Stream>::~http_session() {
  --state_->open_connections;
}

template <class Stream>
void http_session<Stream>::run() {
  boost::asio::dispatch(stream_.get_executor(), [self = this->shared_from_this()] { self->start(); });
}

// Over TLS the handshake comes first, within the header timeout; a client that does not
// speak TLS (plain HTTP on an HTTPS port) fails it and gets no HTTP answer.
template <class Stream>
void http_session<Stream>::start() {
  if constexpr (is_tls) {
    beast::get_lowest_layer(stream_).expires_after(
      std::chrono::seconds{state_->options.header_timeout_seconds});
    stream_.async_handshake(boost::asio::ssl::stream_base::server,
                            [self = this->shared_from_this()](beast::error_code error) {
                              if (error) {
                                self->close();
                                return;
                              }
                              self->do_read_header();
                            });
  } else {
    do_read_header();
  }
}

template <class Stream>
void http_session<Stream>::close_if_idle(std::chrono::steady_clock::duration quiet) {
  boost::asio::post(stream_.get_executor(), [self = this->shared_from_this(), quiet] {
    if (std::chrono::steady_clock::now() - self->idle_since_ < quiet) {
      return;
    }
    // A request already received but not yet parsed is not idleness: it is answered
    // (with Connection: close), rather than lost to a close the client cannot tell apart
    // from a crash.
    beast::error_code error;
    auto unread = beast::get_lowest_layer(self->stream_).socket().available(error);
    if (!self->busy_ && self->buffer_.size() == 0 && unread == 0) {
      self->close();
    }
  });
}

// A kept-alive connection may idle up to the idle timeout; once the next request's first
// bytes are in, its header has the header timeout, as a new connection's has: a header
// sent a byte at a time cannot hold a connection for long.
template <class Stream>
void http_session<Stream>::do_read_header() {
  if (first_request_ || buffer_.size() > 0) {
    read_header();
    return;
  }
  beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds{state_->options.idle_timeout_seconds});
  stream_.async_read_some(buffer_.prepare(header_limit),
                          [self = this->shared_from_this()](beast::error_code error, std::size_t bytes) {
                            if (error) {
                              self->close();
                              return;
                            }
                            self->buffer_.commit(bytes);
                            self->read_header();
                          });
}

template <class Stream>
void http_session<Stream>::read_header() {
  parser_.emplace();
  parser_->header_limit(header_limit);
  // The route's body limit is set once the header is in; until then a large
  // Content-Length must not fail the header read, so that it can be answered 413.
  parser_->body_limit(boost::none);
  beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds{state_->options.header_timeout_seconds});
  http::async_read_header(stream_, buffer_, *parser_,
                          [self = this->shared_from_this()](beast::error_code error, std::size_t) {
                            self->on_read_header(error);
                          });
}

template <class Stream>
void http_session<Stream>::on_read_header(beast::error_code error) {
  if (error && error != http::error::header_limit) {
    close(); // end of stream, timeout, or a malformed header: nothing to answer
    return;
  }
  first_request_ = false;
  busy_ = true;
  started_ = std::chrono::steady_clock::now();
  if (error) {
    // The rest of the header is unread, so the connection closes after the answer.
    route_label_ = "unmatched";
    body_unread_ = true;
    send_error(make_failure(settle_errc::header_too_large,
                            "the request header is larger than " + std::to_string(header_limit)
                              + " bytes"));
    return;
  }
  const auto& header = parser_->get();
  std::string_view target{header.target().data(), header.target().size()};
  auto limit = is_batch_path(target.substr(0, target.find('?'))) ? state_->options.batch_body_limit
                                                                 : state_->options.body_limit;
  parser_->body_limit(limit);
  route_label_ = "unmatched";
  if (refuse_before_body()) {
    return;
  }
  if (auto length = parser_->content_length(); length && *length > limit) {
    refuse_unread(make_failure(settle_errc::body_too_large,
                               "the body is larger than " + std::to_string(limit) + " bytes"));
    return;
  }
  beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds{state_->options.header_timeout_seconds * 3});
  http::async_read(stream_, buffer_, *parser_,
                   [self = this->shared_from_this()](beast::error_code error, std::size_t) {
                     self->on_read_body(error);
                   });
}

template <class Stream>
void http_session<Stream>::on_read_body(beast::error_code error) {
  if (error == http::error::body_limit) {
    body_unread_ = true;
    send_error(make_failure(settle_errc::body_too_large, "the body is too large"));
    return;
  }
  if (error) {
    close();
    return;
  }
  beast::get_lowest_layer(stream_).expires_never();
  handle_request();
}

// A /v1 request is authenticated and rate limited as soon as its header is in, so that
// a stranger's body (or a limited key's) is never read. The stream's upgrade
// authenticates itself (a browser cannot set its headers), and preflights carry no key.
template <class Stream>
bool http_session<Stream>::refuse_before_body() {
  const auto& header = parser_->get();
  std::string_view target{header.target().data(), header.target().size()};
  auto path = target.substr(0, target.find('?'));
  who_.reset();
  key_.clear();
  if (!is_api_path(path) || header.method() == http::verb::options
      || (path == "/v1/stream" && beast::websocket::is_upgrade(header))) {
    return false;
  }
  auto authorization = header[http::field::authorization];
  auto key = bearer_key({authorization.data(), authorization.size()});
  who_ = key.empty() ? std::nullopt : state_->requester_of_key(key);
  if (!who_) {
    refuse_unread(make_failure(settle_errc::unauthenticated, "a valid API key is required"));
    return true;
  }
  key_ = std::string{key};
  auto token = state_->admission_control->take_token(key_);
  if (token.answer != admission::verdict::admitted) {
    retry_after_ = token.retry_after.count();
    refuse_unread(make_failure(settle_errc::rate_limited,
                               "too many requests for this API key; retry after a while"));
    return true;
  }
  return false;
}

// Answers without reading the body; the connection then closes, since the unread body
// would be taken for the next request.
template <class Stream>
void http_session<Stream>::refuse_unread(const failure& reason) {
  const auto length = parser_->content_length();
  body_unread_ = parser_->chunked() || (length && *length > 0);
  send_error(reason);
}

template <class Stream>
void http_session<Stream>::handle_request() {
  const auto& request = parser_->get();
  std::string_view target{request.target().data(), request.target().size()};
  std::string path;
  route_input input;
  if (!split_target(target, path, input.query)) {
    send_error(make_failure(settle_errc::route_not_found, "the request target is malformed"));
    return;
  }
  if (request.method() == http::verb::options) {
    route_label_ = "preflight";
    send(204, {});
    return;
  }
  std::string_view method{request.method_string().data(), request.method_string().size()};
  auto match = match_route(method, path);
  if (match.matched != nullptr) {
    route_label_ = std::string{match.matched->pattern};
  }
  if (path.rfind("/v1/", 0) == 0 || path == "/v1") {
    handle_api(match, std::move(input), path);
    return;
  }
  if (match.matched == nullptr) {
    send_unmatched(match, path);
    return;
  }
  switch (match.matched->kind) {
    case endpoint::healthz:
      send(200, R"({"status":"ok"})");
      return;
    case endpoint::readyz:
      handle_readiness();
      return;
    case endpoint::metrics:
      send(200, metrics_registry::instance().render(), "text/plain; version=0.0.4");
      return;
    case endpoint::document: {
      const auto& file = state_->documents.at(std::string{match.matched->pattern});
      send(200, file.body, file.content_type);
      return;
    }
    default:
      send_error(make_failure(settle_errc::route_not_found, "no such route"));
      return;
  }
}

template <class Stream>
void http_session<Stream>::handle_api(const route_match& match, route_input input, const std::string& path) {
  const auto& request = parser_->get();
  // A browser cannot set headers on an upgrade: the stream authenticates itself.
  if (match.matched != nullptr && match.matched->kind == endpoint::stream
      && beast::websocket::is_upgrade(request)) {
    answer_timer_.cancel();
    auto stream = std::make_shared<websocket_session<Stream>>(std::move(stream_), state_, slot_);
    state_->register_stream(stream);
    stream->run(parser_->release());
    return;
  }
  api_request api;
  if (!who_) { // authenticated with the header (refuse_before_body)
    send_error(make_failure(settle_errc::unauthenticated, "a valid API key is required"));
    return;
  }
  api.who = *who_;
  if (match.matched == nullptr) {
    send_unmatched(match, path);
    return;
  }
  if (match.matched->kind == endpoint::stream) {
    send_error(make_failure(settle_errc::upgrade_required,
                            "/v1/stream needs a WebSocket upgrade"));
    return;
  }
  const auto& body = request.body();
  if (request.method() == http::verb::post) {
    auto key = request["Idempotency-Key"];
    if (request.find("Idempotency-Key") != request.end()) {
      std::string_view key_view{key.data(), key.size()};
      if (auto invalid = validate_idempotency_key(key_view)) {
        send_error(*invalid);
        return;
      }
      std::string_view target{request.target().data(), request.target().size()};
      api.idempotency = idempotency_claim{std::string{key_view},
                                          request_fingerprint("POST", target, body)};
    }
  }
  auto content_type = request[http::field::content_type];
  if (!body.empty() && request.find(http::field::content_type) != request.end()
      && !is_json_media_type({content_type.data(), content_type.size()})) {
    send_error(make_failure(settle_errc::unsupported_media_type,
                            "the body's Content-Type must be application/json"));
    return;
  }
  input.path_parameters = match.path_parameters;
  input.body = body;
  auto built = match.matched->build(input);
  if (auto* reason = std::get_if<failure>(&built)) {
    send_error(*reason);
    return;
  }
  api.command = std::move(std::get<command>(built));
  auto admitted = state_->admission_control->admit_work(key_, weight_of(api.command));
  if (!admitted.admitted) {
    retry_after_ = admitted.retry_after.count();
    send_error(admitted.answer == admission::verdict::node_busy
                 ? make_failure(settle_errc::unavailable,
                                "the node is at its bound of work in flight; retry after a while")
                 : make_failure(settle_errc::rate_limited,
                                "this API key is at its bound of work in flight; retry after a while"));
    return;
  }
  send_to_gateway(std::move(api), std::move(admitted.admitted));
}

template <class Stream>
void http_session<Stream>::handle_readiness() {
  api_request api;
  api.command = readiness_command{};
  send_to_gateway(std::move(api), nullptr);
}

// The ticket of the admitted work is given back when the gateway answers, even an answer
// that comes after the session gave up waiting: the work was in flight until then.
// At the request timeout the session answers 503 only if it closes the request's commit
// gate first; if a commit of the request has begun, it waits for the real outcome
// (see request_deadline).
template <class Stream>
void http_session<Stream>::send_to_gateway(api_request request, std::shared_ptr<admission::ticket> ticket) {
  auto generation = ++generation_;
  auto self = this->shared_from_this();
  auto executor = stream_.get_executor();
  auto timeout = std::chrono::seconds{state_->options.request_timeout_seconds};
  auto gate = std::make_shared<commit_gate>();
  request.who.deadline = request_deadline{
    now_milliseconds() + std::chrono::duration_cast<std::chrono::milliseconds>(timeout).count(),
    gate};
  request.reply = [self, executor, generation, ticket](api_response answer) {
    if (ticket) {
      ticket->release();
    }
    boost::asio::post(executor, [self, generation, answer = std::move(answer)]() mutable {
      self->on_gateway_answer(generation, std::move(answer));
    });
  };
  answer_timer_.expires_after(timeout);
  answer_timer_.async_wait([self, generation, gate](beast::error_code error) {
    if (error || self->generation_ != generation || !self->busy_ || !gate->close()) {
      return;
    }
    ++self->generation_; // the late answer, if any, is dropped
    self->send_error(make_failure(settle_errc::unavailable,
                                  "the request took too long and was not applied; retry"));
  });
  caf::anon_send(state_->gateway, execute_atom::value, std::move(request));
}

template <class Stream>
void http_session<Stream>::on_gateway_answer(std::uint64_t generation, api_response answer) {
  if (generation != generation_ || !busy_) {
    return;
  }
  answer_timer_.cancel();
  replayed_ = answer.replayed;
  send(answer.status, std::move(answer.body));
}

template <class Stream>
void http_session<Stream>::send_unmatched(const route_match& match, const std::string& path) {
  if (!match.allowed_methods.empty()) {
    allow_header_ = match.allowed_methods;
    send_error(make_failure(settle_errc::method_not_allowed, "this method is not allowed here"));
  } else {
    send_error(make_failure(settle_errc::route_not_found, "no such route: " + path));
  }
}

template <class Stream>
void http_session<Stream>::send_error(const failure& reason) {
  send(mapping_of(reason.code).status, json_renderer{}.error(reason));
}

template <class Stream>
void http_session<Stream>::send(unsigned status, std::string body, std::string_view content_type) {
  const auto& request = parser_->get();
  bool keep_alive = request.keep_alive() && !state_->draining
                    && !body_unread_; // an unread body leaves the stream unusable
  response_ = response{static_cast<http::status>(status), request.version()};
  response_.set(http::field::server, "settled");
  auto given_id = request["X-Request-Id"];
  const auto request_id = request_id_of({given_id.data(), given_id.size()});
  response_.set("X-Request-Id", request_id);
  if (status >= 500 && status != 503) { // 503 is the expected answer of a full node
    log_line(log_level::error, "a request failed",
             {{"request_id", request_id}, {"method", method_label(request.method())},
              {"route", route_label_}, {"status", std::to_string(status)}});
  }
  if (!body.empty() || status != 204) {
    response_.set(http::field::content_type, content_type);
  }
  if (content_type == api_content_type) {
    auto accepted = request[http::field::accept_language];
    auto chosen = preferred_language({accepted.data(), accepted.size()});
    body = localize_errors(std::move(body), chosen);
    if (status >= 400) {
      response_.set(http::field::content_language, language_tag(chosen));
    }
  }
  if (status == 503 || status == 429) {
    response_.set(http::field::retry_after, std::to_string(retry_after_));
  }
  if (status == 405) {
    response_.set(http::field::allow, allow_header_);
  }
  if (replayed_) {
    response_.set("Idempotent-Replayed", "true");
  }
  auto origin = request[http::field::origin];
  if (!origin.empty() && origin_allowed(state_->options, {origin.data(), origin.size()})) {
    response_.set(http::field::access_control_allow_origin, origin);
    response_.set(http::field::vary, "Origin");
    if (request.method() == http::verb::options) {
      response_.set(http::field::access_control_allow_methods, "GET, POST, PUT, DELETE, OPTIONS");
      response_.set(http::field::access_control_allow_headers,
                    "Authorization, Content-Type, Idempotency-Key, X-Request-Id");
      response_.set(http::field::access_control_max_age, "600");
    }
  }
  response_.body() = std::move(body);
  response_.keep_alive(keep_alive);
  response_.prepare_payload();
  std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - started_;
  metrics_registry::instance().count_http_request(route_label_, method_label(request.method()),
                                                  status, elapsed.count());
  beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds{state_->options.idle_timeout_seconds});
  http::async_write(stream_, response_,
                    [self = this->shared_from_this(), keep_alive](beast::error_code error, std::size_t) {
                      self->on_write(!keep_alive, error);
                    });
}

template <class Stream>
void http_session<Stream>::on_write(bool close_after, beast::error_code error) {
  busy_ = false;
  idle_since_ = std::chrono::steady_clock::now();
  replayed_ = false;
  retry_after_ = 1;
  allow_header_.clear();
  if (!error && body_unread_) {
    linger_then_close();
    return;
  }
  if (error || close_after || state_->draining) {
    close();
    return;
  }
  do_read_header();
}

// After answering a request whose body was not read, the client may still be sending
// it: closing now would reset the connection and destroy the answer before the client
// reads it. So stop sending, read and drop what still comes (bounded in bytes and
// time), then close.
template <class Stream>
void http_session<Stream>::linger_then_close() {
  constexpr std::size_t linger_limit = 16 * 1024 * 1024;
  beast::error_code ignored;
  beast::get_lowest_layer(stream_).socket().shutdown(boost::asio::ip::tcp::socket::shutdown_send, ignored);
  beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds{5});
  buffer_.consume(buffer_.size());
  stream_.async_read_some(buffer_.prepare(64 * 1024),
                          [self = this->shared_from_this()](beast::error_code error, std::size_t bytes) {
                            self->lingered_bytes_ += bytes;
                            if (error || self->lingered_bytes_ > linger_limit) {
                              self->close();
                              return;
                            }
                            self->linger_then_close();
                          });
}

template <class Stream>
void http_session<Stream>::close() {
  beast::error_code ignored;
  answer_timer_.cancel();
  beast::get_lowest_layer(stream_).socket().shutdown(boost::asio::ip::tcp::socket::shutdown_send, ignored);
  beast::get_lowest_layer(stream_).socket().close(ignored);
}

template class http_session<beast::tcp_stream>;
template class http_session<tls_stream>;

} // namespace settle::net
