// The webhook sender. Everything after an entry point runs on the sender's one thread, so
// the queue, the idle pool and every delivery are used without locks. A delivery's
// handlers all check `finished_` first: after its outcome is given (an answer, an error,
// the resolve deadline, or the sender stopping), late completions only release it.
#include "net/webhook_sender.hpp"

#include "net/webhook_address.hpp"
#include "net/webhook_signature.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/url/parse.hpp>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <deque>
#include <list>
#include <set>
#include <thread>

namespace settle::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;
using steady = std::chrono::steady_clock;
using tls_stream = beast::ssl_stream<beast::tcp_stream>;

const char* const stopped_error = "stopped";
const char* const not_public = " is not public (loopback, private, link-local or reserved)";

// A connection to one scheme, host and port, plain or TLS; kept between posts when the
// server keeps it alive.
struct connection {
  connection(asio::io_context& context, ssl::context* tls, std::string name)
    : key{std::move(name)} {
    if (tls != nullptr) {
      secure.emplace(context, *tls);
    } else {
      plain.emplace(context);
    }
  }
  beast::tcp_stream& tcp() { return plain ? *plain : secure->next_layer(); }
  template <class Operation>
  void use(Operation operation) {
    plain ? operation(*plain) : operation(*secure);
  }

  std::optional<beast::tcp_stream> plain;
  std::optional<tls_stream> secure;
  std::string key; // scheme://host:port
  steady::time_point idle_since;
};

// A delivery or an address check whose callback is still owed; stop() pays it.
struct pending {
  virtual ~pending() = default;
  virtual void stop() = 0;
};

struct waiting_post {
  webhook_post request;
  std::function<void(webhook_outcome)> done;
};

} // namespace

struct webhook_sender_state {
  explicit webhook_sender_state(webhook_sender_options settings) : options{settings} {
    options.max_in_flight = std::max<std::size_t>(options.max_in_flight, 1);
    tls.set_default_verify_paths();
    tls.set_verify_mode(ssl::verify_peer);
  }

  webhook_sender_options options;
  ssl::context tls{ssl::context::tls_client}; // before the io_context: it outlives the streams
  asio::io_context context{1};
  asio::executor_work_guard<asio::io_context::executor_type> work{context.get_executor()};
  std::set<std::shared_ptr<pending>> running;
  std::deque<waiting_post> waiting;
  std::size_t in_flight = 0;
  std::list<std::unique_ptr<connection>> idle; // the oldest first
  asio::steady_timer idle_sweep{context};
  bool sweeping = false;
  bool stopped = false;
  std::thread thread;
};

namespace {

// A callback that throws must not take the sender's thread down with it.
template <class Callback, class Value>
void call(Callback& callback, Value value) noexcept {
  try {
    callback(std::move(value));
  } catch (...) {
  }
}

bool is_ip_literal(const std::string& host) {
  error_code error;
  asio::ip::make_address(host, error);
  return !error;
}

std::string describe(const error_code& error) {
  if (error == beast::error::timeout) {
    return "timed out";
  }
  std::string text = error.message();
  if (error.category() == asio::error::get_ssl_category()) {
    // The reason alone: "certificate verify failed", without OpenSSL's " (SSL routines)".
    if (const char* reason = ERR_reason_error_string(static_cast<unsigned long>(error.value()))) {
      text = reason;
    }
  }
  if (!text.empty()) {
    text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
  }
  return text;
}

// The first resolved address a webhook may not go to, if any.
std::optional<std::string> refused_address(const tcp::resolver::results_type& results,
                                           bool allow_private) {
  for (const auto& entry : results) {
    if (!allow_private && !is_public_address(entry.endpoint().address())) {
      return entry.endpoint().address().to_string();
    }
  }
  return std::nullopt;
}

tcp::resolver::flags resolve_flags(const std::string& host) {
  return tcp::resolver::numeric_service
         | (is_ip_literal(host) ? tcp::resolver::numeric_host : tcp::resolver::flags{});
}

std::string host_header(const webhook_url& url) {
  auto host = url.host.find(':') == std::string::npos ? url.host : "[" + url.host + "]";
  bool default_port = url.port == (url.scheme == "https" ? "443" : "80");
  return default_port ? host : host + ":" + url.port;
}

http::request<http::string_body> make_request(const webhook_url& url, webhook_post& post) {
  http::request<http::string_body> request{http::verb::post, url.target, 11};
  request.set(http::field::host, host_header(url));
  request.set(http::field::user_agent, "Settle-Webhooks/1");
  request.set(http::field::content_type, "application/json");
  auto now = std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
               .count();
  request.set("Settle-Event-Seq", std::to_string(post.event_seq));
  request.set("Settle-Signature", webhook_signature(post.secret, now, post.body));
  request.keep_alive(true);
  request.body() = std::move(post.body);
  request.prepare_payload();
  return request;
}

void start_waiting(webhook_sender_state& state);

// Closes idle connections whose time is up, then waits for the next one's.
void sweep_idle(webhook_sender_state& state) {
  auto timeout = state.options.idle_timeout;
  while (!state.idle.empty() && state.idle.front()->idle_since + timeout <= steady::now()) {
    state.idle.pop_front();
  }
  if (state.sweeping || state.idle.empty()) {
    return;
  }
  state.sweeping = true;
  state.idle_sweep.expires_at(state.idle.front()->idle_since + timeout);
  state.idle_sweep.async_wait([&state](error_code) {
    state.sweeping = false;
    sweep_idle(state);
  });
}

void park(webhook_sender_state& state, std::unique_ptr<connection> kept) {
  if (state.options.max_idle_connections == 0 || state.stopped) {
    return;
  }
  if (state.idle.size() >= state.options.max_idle_connections) {
    state.idle.pop_front();
  }
  kept->tcp().expires_never();
  kept->idle_since = steady::now();
  state.idle.push_back(std::move(kept));
  sweep_idle(state);
}

// The most recently used idle connection to `key`: the least likely to be closed by now.
std::unique_ptr<connection> take_idle(webhook_sender_state& state, const std::string& key) {
  for (auto kept = state.idle.rbegin(); kept != state.idle.rend(); ++kept) {
    if ((*kept)->key == key) {
      auto taken = std::move(*kept);
      state.idle.erase(std::next(kept).base());
      return taken;
    }
  }
  return nullptr;
}

// One post: parse, take an idle connection or resolve, check and connect (and TLS), write,
// read the answer's header and at most response_body_limit bytes of its body.
class delivery : public pending, public std::enable_shared_from_this<delivery> {
public:
  delivery(webhook_sender_state& state, waiting_post post)
    : state_{state}, post_{std::move(post)}, resolver_{state.context},
      resolve_timer_{state.context} {}

  void start() {
    std::string why;
    auto url = parse_webhook_url(post_.request.url, why);
    if (!url) {
      return finish({0, why});
    }
    url_ = std::move(*url);
    deadline_ = steady::now() + state_.options.timeout;
    request_ = make_request(url_, post_.request);
    connection_ = take_idle(state_, key());
    reused_ = connection_ != nullptr;
    reused_ ? send() : connect();
  }

  void stop() override { finish({0, stopped_error}); }

private:
  std::string key() const { return url_.scheme + "://" + url_.host + ":" + url_.port; }

  void connect() {
    resolve_timer_.expires_at(deadline_);
    resolve_timer_.async_wait([self = shared_from_this()](error_code error) {
      if (!error) {
        self->finish({0, "timed out"}); // getaddrinfo cannot be interrupted: answer now
      }
    });
    resolver_.async_resolve(url_.host, url_.port, resolve_flags(url_.host),
                            [self = shared_from_this()](error_code error,
                                                        tcp::resolver::results_type results) {
                              self->on_resolved(error, results);
                            });
  }

  void on_resolved(error_code error, const tcp::resolver::results_type& results) {
    if (finished_) {
      return;
    }
    resolve_timer_.cancel();
    if (error) {
      return finish({0, "could not resolve " + url_.host + ": " + describe(error)});
    }
    // Only the addresses checked here are connected to: a name cannot re-resolve between.
    if (auto refused = refused_address(results, state_.options.allow_private)) {
      return finish({0, "address not allowed: " + *refused});
    }
    connection_ = std::make_unique<connection>(
      state_.context, url_.scheme == "https" ? &state_.tls : nullptr, key());
    connection_->tcp().expires_at(deadline_);
    connection_->tcp().async_connect(
      results, [self = shared_from_this()](error_code error, const tcp::endpoint&) {
        self->on_connected(error);
      });
  }

  void on_connected(error_code error) {
    if (finished_) {
      return;
    }
    auto* secure = connection_->secure ? &*connection_->secure : nullptr;
    if (error || secure == nullptr) {
      return error ? fail(error) : send();
    }
    secure->set_verify_callback(ssl::host_name_verification{url_.host});
    // SNI carries names only, never an address.
    if (!is_ip_literal(url_.host)
        && !SSL_set_tlsext_host_name(secure->native_handle(), url_.host.c_str())) {
      return finish({0, "could not set the TLS server name"});
    }
    secure->async_handshake(ssl::stream_base::client,
                            [self = shared_from_this(), secure](error_code error) {
                              if (!self->finished_) {
                                error ? self->fail(error, secure) : self->send();
                              }
                            });
  }

  void send() {
    if (finished_) {
      return;
    }
    connection_->tcp().expires_at(deadline_);
    buffer_.clear();
    parser_.emplace();
    parser_->body_limit(state_.options.response_body_limit);
    connection_->use([this](auto& stream) {
      http::async_write(stream, request_,
                        [self = shared_from_this()](error_code error, std::size_t) {
                          self->on_sent(error);
                        });
    });
  }

  void on_sent(error_code error) {
    if (finished_) {
      return;
    }
    if (error) {
      return retry_or_fail(error);
    }
    connection_->use([this](auto& stream) {
      http::async_read(stream, buffer_, *parser_,
                       [self = shared_from_this()](error_code error, std::size_t) {
                         self->on_read(error);
                       });
    });
  }

  // The status counts once the header is in, even when the body then fails or is larger
  // than the limit; only a complete answer on a kept-alive connection leaves it reusable.
  void on_read(error_code error) {
    if (finished_) {
      return;
    }
    if (error && !parser_->is_header_done()) {
      return retry_or_fail(error);
    }
    const auto& answer = parser_->get();
    bool reusable = !error && answer.keep_alive() && buffer_.size() == 0;
    finish({answer.result_int(), {}}, reusable);
  }

  // A kept connection the server closed meanwhile fails before any byte of an answer; the
  // post is then sent once more on a new connection (delivery is at least once anyway).
  void retry_or_fail(error_code error) {
    bool nothing_answered = !parser_->got_some() && buffer_.size() == 0;
    if (reused_ && nothing_answered && error != beast::error::timeout) {
      reused_ = false;
      connection_.reset();
      return connect();
    }
    fail(error);
  }

  void fail(error_code error, tls_stream* secure = nullptr) {
    auto text = describe(error);
    auto verify_result = secure != nullptr ? SSL_get_verify_result(secure->native_handle())
                                           : X509_V_OK;
    if (verify_result != X509_V_OK) {
      text += std::string{": "} + X509_verify_cert_error_string(verify_result);
    }
    finish({0, std::move(text)});
  }

  void finish(webhook_outcome outcome, bool reusable = false) {
    if (finished_) {
      return;
    }
    finished_ = true;
    resolve_timer_.cancel();
    resolver_.cancel();
    if (connection_ && reusable) {
      park(state_, std::move(connection_));
    } else if (connection_) {
      // Closed, not destroyed: an operation still pending on it holds a reference to it.
      connection_->tcp().close();
    }
    auto self = shared_from_this();
    state_.running.erase(self);
    --state_.in_flight;
    asio::post(state_.context, [&state = state_] { start_waiting(state); });
    call(post_.done, std::move(outcome));
  }

  webhook_sender_state& state_;
  waiting_post post_;
  webhook_url url_;
  steady::time_point deadline_;
  tcp::resolver resolver_;
  asio::steady_timer resolve_timer_;
  std::unique_ptr<connection> connection_;
  bool reused_ = false;
  bool finished_ = false;
  http::request<http::string_body> request_;
  beast::flat_buffer buffer_;
  std::optional<http::response_parser<http::string_body>> parser_;
};

void start_delivery(webhook_sender_state& state, waiting_post post) {
  auto started = std::make_shared<delivery>(state, std::move(post));
  state.running.insert(started);
  ++state.in_flight;
  started->start();
}

// FIFO: a post waits while any earlier one does.
void admit(webhook_sender_state& state, waiting_post post) {
  if (state.in_flight < state.options.max_in_flight && state.waiting.empty()) {
    start_delivery(state, std::move(post));
  } else if (state.waiting.size() < state.options.max_waiting) {
    state.waiting.push_back(std::move(post));
  } else {
    call(post.done, webhook_outcome{0, "too many deliveries waiting"});
  }
}

void start_waiting(webhook_sender_state& state) {
  while (!state.stopped && !state.waiting.empty()
         && state.in_flight < state.options.max_in_flight) {
    auto next = std::move(state.waiting.front());
    state.waiting.pop_front();
    start_delivery(state, std::move(next));
  }
}

// Whether a URL's host may be sent to, with the same rules and deadline as a delivery.
class address_check : public pending, public std::enable_shared_from_this<address_check> {
public:
  address_check(webhook_sender_state& state,
                std::function<void(std::optional<std::string>)> done)
    : state_{state}, done_{std::move(done)}, resolver_{state.context}, timer_{state.context} {}

  void start(const std::string& text) {
    std::string why;
    auto url = parse_webhook_url(text, why);
    if (!url) {
      return finish(why);
    }
    host_ = url->host;
    error_code not_literal;
    auto address = asio::ip::make_address(host_, not_literal);
    if (!not_literal) {
      bool allowed = state_.options.allow_private || is_public_address(address);
      return finish(allowed ? std::optional<std::string>{} : refusal(host_));
    }
    timer_.expires_after(state_.options.timeout);
    timer_.async_wait([self = shared_from_this()](error_code error) {
      if (!error) {
        self->finish("host " + self->host_ + " did not resolve in time");
      }
    });
    resolver_.async_resolve(host_, url->port, resolve_flags(host_),
                            [self = shared_from_this()](error_code error,
                                                        tcp::resolver::results_type results) {
                              self->on_resolved(error, results);
                            });
  }

  void stop() override { finish("the webhook sender stopped"); }

private:
  static std::string refusal(const std::string& address) {
    return "address " + address + not_public;
  }

  void on_resolved(error_code error, const tcp::resolver::results_type& results) {
    if (error) {
      return finish("host " + host_ + " does not resolve");
    }
    auto refused = refused_address(results, state_.options.allow_private);
    if (refused) {
      return finish("host " + host_ + " resolves to " + *refused + ", which" + not_public);
    }
    finish(std::nullopt);
  }

  void finish(std::optional<std::string> refusal) {
    if (finished_) {
      return;
    }
    finished_ = true;
    timer_.cancel();
    resolver_.cancel();
    auto self = shared_from_this();
    state_.running.erase(self);
    call(done_, std::move(refusal));
  }

  webhook_sender_state& state_;
  std::function<void(std::optional<std::string>)> done_;
  tcp::resolver resolver_;
  asio::steady_timer timer_;
  std::string host_;
  bool finished_ = false;
};

// Pays every callback still owed, then lets the thread end; the io_context's destructor
// releases whatever operations remain.
void stop_all(webhook_sender_state& state) {
  state.stopped = true;
  auto running = state.running; // each stop() leaves the set
  for (const auto& operation : running) {
    operation->stop();
  }
  auto waiting = std::move(state.waiting);
  state.waiting.clear();
  for (auto& post : waiting) {
    call(post.done, webhook_outcome{0, stopped_error});
  }
  state.idle.clear();
  state.context.stop();
}

// The port's text, the scheme's default when the URL names none; nullopt unless 1-65535.
std::optional<std::string> port_of(const boost::urls::url_view& url, bool https) {
  if (!url.has_port() || url.port().empty()) {
    return https ? "443" : "80";
  }
  auto text = std::string{url.port()};
  unsigned value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  bool valid = error == std::errc{} && end == text.data() + text.size() && value >= 1
               && value <= 65535;
  return valid ? std::optional{std::to_string(value)} : std::nullopt;
}

} // namespace

std::optional<webhook_url> parse_webhook_url(std::string_view text, std::string& why) {
  auto refuse = [&why](const char* reason) {
    why = reason;
    return std::optional<webhook_url>{};
  };
  if (text.size() > longest_webhook_url) {
    return refuse("url must be at most 2048 characters long");
  }
  auto parsed = boost::urls::parse_uri(boost::urls::string_view{text.data(), text.size()});
  auto scheme = parsed ? parsed->scheme_id() : boost::urls::scheme::none;
  if (scheme != boost::urls::scheme::http && scheme != boost::urls::scheme::https) {
    return refuse("url must be an http:// or https:// URL");
  }
  const auto& url = *parsed;
  if (url.has_userinfo()) {
    return refuse("url must not contain a user name or password");
  }
  if (url.has_fragment()) {
    return refuse("url must not contain a fragment (#...)");
  }
  if (!url.has_authority() || url.encoded_host().empty()) {
    return refuse("url must name a host");
  }
  // Percent-escapes in a name, and IPvFuture literals, are nothing a resolver takes.
  if (url.host_type() == boost::urls::host_type::ipvfuture
      || url.encoded_host().find('%') != boost::urls::string_view::npos) {
    return refuse("url's host must be a name or an IP address");
  }
  bool https = scheme == boost::urls::scheme::https;
  auto port = port_of(url, https);
  // Boost.URL 1.81 reads "host:8x/" as port 8 and a path "x/" that lacks its "/".
  auto path = url.encoded_path();
  if (!port || (!path.empty() && path.front() != '/')) {
    return refuse("url's port must be a number from 1 to 65535");
  }
  webhook_url result{https ? "https" : "http", url.host_address(), *port,
                     path.empty() ? "/" : std::string{path}};
  if (url.has_query()) {
    result.target += "?" + std::string{url.encoded_query()};
  }
  return result;
}

webhook_sender::webhook_sender(webhook_sender_options options)
  : state_{std::make_unique<webhook_sender_state>(options)} {
  auto* state = state_.get();
  state->thread = std::thread{[state] {
    for (;;) {
      try {
        state->context.run();
        return;
      } catch (...) { // nothing of the sender throws on purpose; keep serving the others
      }
    }
  }};
}

webhook_sender::~webhook_sender() {
  auto* state = state_.get();
  asio::post(state->context, [state] { stop_all(*state); });
  state->thread.join();
}

void webhook_sender::check_address(std::string url,
                                   std::function<void(std::optional<std::string>)> done) {
  auto* state = state_.get();
  asio::post(state->context, [state, url = std::move(url), done = std::move(done)]() mutable {
    auto check = std::make_shared<address_check>(*state, std::move(done));
    state->running.insert(check);
    check->start(url);
  });
}

void webhook_sender::post(webhook_post request, std::function<void(webhook_outcome)> done) {
  auto* state = state_.get();
  asio::post(state->context, [state, post = waiting_post{std::move(request), std::move(done)}]()
                               mutable { admit(*state, std::move(post)); });
}

} // namespace settle::net
