// The WebSocket session. Client messages: {"type":"auth","token":KEY} and
// {"type":"subscribe","topics":[...],"since":SEQ?}; the server answers
// {"type":"subscribed","topics":[...]} and then sends {"type":"event",...} frames.
#include "net/websocket_session.hpp"

#include "domain/metrics.hpp"
#include "net/message_catalogue.hpp"
#include "net/stream_message.hpp"

#include <boost/asio/post.hpp>
#include <boost/json.hpp>

#include <caf/all.hpp>

namespace settle::net {
namespace {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace json = boost::json;

// Frames waiting for a slow client, at most; beyond, it is closed with 1013.
constexpr std::size_t queued_frames_limit = 1024;
constexpr std::size_t message_limit = 64 * 1024;
constexpr auto ping_interval = std::chrono::seconds{20};
constexpr auto silence_limit = std::chrono::seconds{60};
constexpr auto authentication_limit = std::chrono::seconds{5};

std::atomic<std::int64_t> open_streams{0};

// An error frame: the API's error code (and the parameter it concerns), its message in
// the language the upgrade request asked for; English keeps the detailed sentence.
std::string error_frame(const message_refusal& refusal, language chosen) {
  json::object frame{{"type", "error"}, {"code", refusal.code}};
  if (!refusal.param.empty()) {
    frame["param"] = refusal.param;
  }
  frame["message"] = chosen == language::english
                       ? refusal.reason
                       : error_message(chosen, refusal.code, refusal.param);
  return json::serialize(frame);
}

} // namespace

template <class Stream>
websocket_session<Stream>::websocket_session(Stream stream, std::shared_ptr<ingress_state> state,
                                             std::shared_ptr<address_slot> slot)
  : socket_(std::move(stream)),
    state_(std::move(state)),
    slot_(std::move(slot)),
    backlog_(std::make_shared<std::atomic<std::size_t>>(0)),
    heartbeat_(socket_.get_executor()),
    authentication_deadline_(socket_.get_executor()),
    last_heard_(std::chrono::steady_clock::now()) {
  ++state_->open_connections;
  metrics_registry::instance().set_websocket_clients(++open_streams);
}

template <class Stream>
websocket_session<Stream>::~websocket_session() {
  unsubscribe();
  --state_->open_connections;
  metrics_registry::instance().set_websocket_clients(--open_streams);
}

template <class Stream>
void websocket_session<Stream>::run(upgrade_request request) {
  beast::get_lowest_layer(socket_).expires_never();
  socket_.set_option(websocket::stream_base::timeout{std::chrono::seconds{30},
                                                     websocket::stream_base::none(), false});
  socket_.read_message_max(message_limit);
  socket_.control_callback([this](websocket::frame_type, beast::string_view) {
    last_heard_ = std::chrono::steady_clock::now();
  });
  auto accept_language = request[beast::http::field::accept_language];
  language_ = preferred_language({accept_language.data(), accept_language.size()});
  std::optional<stream_refusal> refusal; // told once the upgrade is accepted
  auto authorization = request[beast::http::field::authorization];
  if (!authorization.empty()) {
    refusal = authenticate(bearer_key({authorization.data(), authorization.size()}));
  }
  socket_.async_accept(request, [self = this->shared_from_this(), refusal](beast::error_code error) {
    self->on_accept(error, refusal);
  });
}

template <class Stream>
void websocket_session<Stream>::shut_down() {
  boost::asio::post(socket_.get_executor(), [self = this->shared_from_this()] {
    self->close_with(websocket::close_code::going_away, "the server is shutting down");
  });
}

template <class Stream>
void websocket_session<Stream>::on_accept(beast::error_code error,
                                  std::optional<stream_refusal> refusal) {
  if (error) {
    return;
  }
  if (refusal) {
    close_with(refusal->code, refusal->reason);
    return;
  }
  if (!who_) {
    authentication_deadline_.expires_after(authentication_limit);
    authentication_deadline_.async_wait([self = this->shared_from_this()](beast::error_code error) {
      if (!error && !self->who_) {
        self->close_with(websocket::close_code::policy_error, "authenticate within 5 seconds");
      }
    });
  }
  start_heartbeat();
  do_read();
}

template <class Stream>
void websocket_session<Stream>::start_heartbeat() {
  heartbeat_.expires_after(ping_interval);
  heartbeat_.async_wait([self = this->shared_from_this()](beast::error_code error) {
    if (error || self->closing_) {
      return;
    }
    if (std::chrono::steady_clock::now() - self->last_heard_ > silence_limit) {
      self->close_with(websocket::close_code::going_away, "silent for 60 seconds");
      return;
    }
    // Beast holds a ping back until the write in flight, if any, is out.
    if (!self->ping_in_flight_) {
      self->ping_in_flight_ = true;
      self->socket_.async_ping({}, [self](beast::error_code) { self->ping_in_flight_ = false; });
    }
    self->start_heartbeat();
  });
}

template <class Stream>
void websocket_session<Stream>::do_read() {
  socket_.async_read(buffer_, [self = this->shared_from_this()](beast::error_code error, std::size_t) {
    self->on_read(error);
  });
}

template <class Stream>
void websocket_session<Stream>::on_read(beast::error_code error) {
  if (error) {
    closing_ = true; // closed by the client, or the connection broke
    heartbeat_.cancel();
    authentication_deadline_.cancel();
    unsubscribe();
    return;
  }
  last_heard_ = std::chrono::steady_clock::now();
  auto text = beast::buffers_to_string(buffer_.data());
  buffer_.consume(buffer_.size());
  handle_message(text);
  if (!closing_) {
    do_read();
  }
}

template <class Stream>
void websocket_session<Stream>::handle_message(std::string_view text) {
  auto message = parse_stream_message(text);
  if (auto* refusal = std::get_if<message_refusal>(&message)) {
    send_own_frame(error_frame(*refusal, language_));
    return;
  }
  if (auto* auth = std::get_if<auth_message>(&message)) {
    handle_auth(auth->token);
    return;
  }
  if (!who_) {
    close_with(websocket::close_code::policy_error, "authenticate first");
    return;
  }
  auto& subscribe = std::get<subscribe_message>(message);
  handle_subscribe(std::move(subscribe.topics), subscribe.has_since, subscribe.since);
}

template <class Stream>
void websocket_session<Stream>::handle_auth(const std::string& token) {
  if (who_) {
    send_own_frame(error_frame({"invalid_state", "", "already authenticated"}, language_));
    return;
  }
  if (auto refusal = authenticate(token)) {
    close_with(refusal->code, refusal->reason);
    return;
  }
  authentication_deadline_.cancel();
}

// Learns who the key is; an authentication counts against the key's rate limit, as a
// request does. A refusal says how to close the stream.
template <class Stream>
std::optional<typename websocket_session<Stream>::stream_refusal>
websocket_session<Stream>::authenticate(std::string_view key) {
  auto who = key.empty() ? std::nullopt : state_->requester_of_key(key);
  if (!who) {
    return stream_refusal{websocket::close_code::policy_error, "unknown API key"};
  }
  if (state_->admission_control->take_token(std::string{key}).answer
      != admission::verdict::admitted) {
    return stream_refusal{websocket::close_code::try_again_later,
                          "too many requests for this API key"};
  }
  who_ = who;
  return std::nullopt;
}

template <class Stream>
void websocket_session<Stream>::handle_subscribe(std::vector<std::string> topics, bool has_since,
                                         std::int64_t since) {
  unsubscribe();
  json::array acknowledged;
  for (const auto& topic : topics) {
    acknowledged.emplace_back(topic);
  }
  // The acknowledgement is queued before the hub can hand over the first event.
  send_own_frame(json::serialize(json::object{{"type", "subscribed"}, {"topics", acknowledged}}));
  stream_subscription subscription;
  subscription.id = ++state_->next_subscription;
  subscription.who = *who_;
  subscription.topics = std::move(topics);
  subscription.has_since = has_since;
  subscription.since = since;
  std::weak_ptr<websocket_session> weak = this->shared_from_this();
  auto executor = socket_.get_executor();
  auto backlog = backlog_;
  subscription.backlog = backlog;
  subscription.deliver = [weak, executor, backlog](std::string frame) {
    // Past the bound the frame is dropped here; the session closes with 1013 below.
    if (backlog->fetch_add(1) >= queued_frames_limit) {
      frame.clear();
    }
    boost::asio::post(executor, [weak, backlog, frame = std::move(frame)]() mutable {
      if (auto self = weak.lock()) {
        self->send_frame(std::move(frame));
      } else {
        backlog->fetch_sub(1);
      }
    });
  };
  subscription_ = subscription.id;
  caf::anon_send(state_->events, subscribe_atom::value, std::move(subscription));
}

template <class Stream>
void websocket_session<Stream>::unsubscribe() {
  if (subscription_ != 0) {
    caf::anon_send(state_->events, unsubscr_atom::value, subscription_);
    subscription_ = 0;
  }
}

// An empty frame means the hub gave up on this client (it fell behind, or the stored
// events could not be read): it is closed with 1013 and resumes with `since`.
template <class Stream>
void websocket_session<Stream>::send_own_frame(std::string frame) {
  backlog_->fetch_add(1);
  send_frame(std::move(frame));
}

template <class Stream>
void websocket_session<Stream>::send_frame(std::string frame) {
  if (closing_) {
    backlog_->fetch_sub(1);
    return;
  }
  if (frame.empty() || backlog_->load() > queued_frames_limit) {
    backlog_->fetch_sub(1);
    close_with(websocket::close_code::try_again_later, "too slow; resume with since");
    return;
  }
  queue_.push_back(std::move(frame));
  do_write();
}

template <class Stream>
void websocket_session<Stream>::do_write() {
  if (writing_ || closing_ || queue_.empty()) {
    return;
  }
  writing_ = true;
  socket_.text(true);
  socket_.async_write(boost::asio::buffer(queue_.front()),
                      [self = this->shared_from_this()](beast::error_code error, std::size_t) {
                        self->writing_ = false;
                        self->queue_.pop_front();
                        self->backlog_->fetch_sub(1);
                        if (!error) {
                          self->do_write();
                        }
                      });
}

template <class Stream>
void websocket_session<Stream>::close_with(websocket::close_code code, const char* reason) {
  if (closing_) {
    return;
  }
  closing_ = true;
  unsubscribe();
  heartbeat_.cancel();
  authentication_deadline_.cancel();
  // The frame being written must outlive its write; only the ones behind it go.
  auto kept = writing_ && !queue_.empty() ? 1 : 0;
  backlog_->fetch_sub(queue_.size() - kept);
  queue_.erase(queue_.begin() + kept, queue_.end());
  // Beast holds the close frame back until the write in flight, if any, is out.
  socket_.async_close(websocket::close_reason{code, reason},
                      [self = this->shared_from_this()](beast::error_code) {});
}

template class websocket_session<beast::tcp_stream>;
template class websocket_session<beast::ssl_stream<beast::tcp_stream>>;

} // namespace settle::net
