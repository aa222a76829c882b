// The subscription's one promise is "every event once, in seq order, across any number
// of reconnects". It keeps it by subscribing again with since = the last seq delivered,
// and by never delivering a seq at or below that one.
#include "client/event_stream.hpp"

#include "client/base_url.hpp"
#include "client/resource_reading.hpp"
#include "client/retry_policy.hpp"
#include "client/websocket_connection.hpp"

#include <boost/json/serialize.hpp>

#include <algorithm>
#include <deque>
#include <thread>

namespace settle::client {

namespace json = boost::json;

namespace {

// The server closes with 1008 (policy) when the key is missing or unknown.
constexpr std::uint16_t policy_violation = 1008;

std::string subscribe_message(const std::vector<std::string>& topics, std::optional<std::int64_t> since) {
  json::array topic_list(topics.begin(), topics.end());
  json::object message{{"type", "subscribe"}, {"topics", std::move(topic_list)}};
  if (since) {
    message["since"] = *since;
  }
  return json::serialize(message);
}

// The contract's error body of a refused upgrade, when it has one.
error_details refusal_details(const upgrade_refused& refused) {
  try {
    auto object = parse_object(refused.body);
    if (auto* details = object.if_contains("error"); details && details->is_object()) {
      return read_error_details(details->get_object());
    }
  } catch (const protocol_error&) {
    // Not the contract's body (something in front of the server): the status says enough.
  }
  return error_details{"", "unauthenticated", "the stream's upgrade was refused", std::nullopt};
}

} // namespace

struct event_stream::state {
  state(client_options connection, stream_options given)
      : connection(std::move(connection)), options(std::move(given)), server(parse_base_url(this->connection.base_url)),
        last_seq(options.since), reconnect_wait(options.first_reconnect_wait) {}

  client_options connection;
  stream_options options;
  base_url server;
  std::unique_ptr<websocket_connection> socket;
  std::optional<std::int64_t> last_seq;
  int reconnections = 0;
  bool ever_connected = false;
  std::chrono::milliseconds reconnect_wait;
  deadline_clock::time_point next_attempt_at{};
  // Messages read while waiting for the acknowledgement, delivered before any other.
  std::deque<std::string> early_messages;

  // Connects and subscribes, retrying transient failures until `deadline`; false when it
  // ran out of time. A refused key is not transient: it throws api_error.
  bool connect(deadline_clock::time_point deadline) {
    while (true) {
      if (next_attempt_at >= deadline) {
        std::this_thread::sleep_until(deadline);
        return false;
      }
      std::this_thread::sleep_until(next_attempt_at);
      try {
        open(deadline);
        return true;
      } catch (const upgrade_refused& refused) {
        if (refused.status == 401 || refused.status == 403) {
          throw api_error(refused.status, refusal_details(refused));
        }
        postpone(refused.retry_after ? parse_retry_after(*refused.retry_after) : std::nullopt);
      } catch (const websocket_failure&) {
        postpone(std::nullopt);
      }
    }
  }

  void open(deadline_clock::time_point deadline) {
    auto opened = std::make_unique<websocket_connection>(server, connection.api_key, deadline);
    // since = the last seq delivered: the server replays what came after it, then goes live.
    opened->send_text(subscribe_message(options.topics, last_seq), deadline);
    await_acknowledgement(*opened, deadline);
    socket = std::move(opened);
    if (ever_connected) {
      ++reconnections;
    }
    ever_connected = true;
    reconnect_wait = options.first_reconnect_wait;
  }

  // Reads up to the server's "subscribed": a key the server refuses after the upgrade
  // (it closes with 1008) fails here, at subscription, instead of at the first read.
  void await_acknowledgement(websocket_connection& opened, deadline_clock::time_point deadline) {
    while (true) {
      auto message = opened.read(deadline);
      if (message.what == websocket_message::kind::timed_out) {
        throw websocket_failure("no acknowledgement of the subscription in time");
      }
      if (message.what == websocket_message::kind::closed) {
        refuse_if_policy_close(message);
        throw websocket_failure("closed before acknowledging the subscription: " + message.close_reason);
      }
      auto parsed = parse_object(message.text);
      if (auto* type = parsed.if_contains("type"); type && *type == "subscribed") {
        return;
      }
      // Anything else before the acknowledgement (not expected) is handled in order later.
      early_messages.push_back(std::move(message.text));
    }
  }

  static void refuse_if_policy_close(const websocket_message& ending) {
    if (ending.close_code == policy_violation) {
      throw api_error(401, error_details{"", "unauthenticated", ending.close_reason, std::nullopt});
    }
  }

  void postpone(std::optional<long long> retry_after_seconds) {
    auto wait = retry_after_seconds ? std::chrono::milliseconds(std::chrono::seconds(*retry_after_seconds))
                                    : reconnect_wait;
    next_attempt_at = deadline_clock::now() + std::min(wait, options.max_reconnect_wait);
    reconnect_wait = std::min(reconnect_wait * 2, options.max_reconnect_wait);
  }

  // An event to deliver, or nothing for acknowledgements and replays already delivered.
  std::optional<event> accept(const std::string& text) {
    auto message = parse_object(text);
    auto* type = message.if_contains("type");
    if (type == nullptr || !type->is_string()) {
      return std::nullopt;
    }
    if (*type == "error") {
      auto* reason = message.if_contains("message");
      throw protocol_error("the stream refused the subscription: "
                           + (reason && reason->is_string() ? std::string(reason->get_string()) : text));
    }
    if (*type != "event") {
      return std::nullopt;
    }
    auto delivered = read_event(message);
    if (last_seq && delivered.seq <= *last_seq) {
      return std::nullopt;
    }
    last_seq = delivered.seq;
    return delivered;
  }

  // After the connection ended: a refused key ends the subscription, anything else
  // (a restart, a cut, 1013 for a slow reader, 1001 for silence) is reconnected.
  void disconnected(const websocket_message& ending) {
    socket.reset();
    refuse_if_policy_close(ending);
    postpone(std::nullopt);
  }
};

event_stream::event_stream(client_options connection, stream_options options)
    : state_(std::make_unique<state>(std::move(connection), std::move(options))) {
  if (!state_->connect(deadline_clock::now() + state_->connection.request_timeout)) {
    throw connection_error("the stream could not be opened at " + state_->connection.base_url);
  }
}

event_stream::~event_stream() { close(); }

event_stream::event_stream(event_stream&&) noexcept = default;
event_stream& event_stream::operator=(event_stream&&) noexcept = default;

std::optional<event> event_stream::next_event(std::chrono::milliseconds timeout) {
  auto& self = *state_;
  const auto deadline = deadline_clock::now() + timeout;
  while (!self.early_messages.empty()) {
    auto text = std::move(self.early_messages.front());
    self.early_messages.pop_front();
    if (auto delivered = self.accept(text)) {
      return delivered;
    }
  }
  while (true) {
    if (!self.socket && !self.connect(deadline)) {
      return std::nullopt;
    }
    auto message = self.socket->read(deadline);
    if (message.what == websocket_message::kind::timed_out) {
      return std::nullopt;
    }
    if (message.what == websocket_message::kind::closed) {
      self.disconnected(message);
      continue;
    }
    if (auto delivered = self.accept(message.text)) {
      return delivered;
    }
  }
}

std::optional<std::int64_t> event_stream::last_seq() const { return state_->last_seq; }

int event_stream::reconnections() const { return state_->reconnections; }

void event_stream::close() {
  if (state_ && state_->socket) {
    state_->socket->close(deadline_clock::now() + std::chrono::seconds(2));
    state_->socket.reset();
  }
}

} // namespace settle::client
