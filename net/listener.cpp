// The accept loop. Each connection gets its own strand, so several Asio threads can
// serve connections in parallel while each session's handlers never overlap.
#include "net/listener.hpp"

#include "net/http_session.hpp"
#include "net/websocket_session.hpp"

#include <boost/asio/strand.hpp>

#include <cctype>

namespace settle::net {

void ingress_state::register_session(const std::shared_ptr<http_connection>& session) {
  std::lock_guard<std::mutex> guard{sessions_mutex};
  // Forget closed sessions now and then, so the list stays as long as the open ones.
  if (sessions.size() > 2 * open_connections.load() + 64) {
    sessions.erase(std::remove_if(sessions.begin(), sessions.end(),
                                  [](const auto& weak) { return weak.expired(); }),
                   sessions.end());
  }
  sessions.push_back(session);
}

void ingress_state::register_stream(const std::shared_ptr<stream_connection>& stream) {
  std::lock_guard<std::mutex> guard{sessions_mutex};
  streams.erase(std::remove_if(streams.begin(), streams.end(),
                               [](const auto& weak) { return weak.expired(); }),
                streams.end());
  streams.push_back(stream);
}

std::optional<requester> ingress_state::requester_of_key(std::string_view key) const {
  auto found = keys.find(std::string{key});
  if (found == keys.end()) {
    return std::nullopt;
  }
  return requester{found->second.tenant, found->second.role == config::key_role::admin, {}};
}

std::string_view bearer_key(std::string_view header) {
  constexpr std::string_view scheme = "bearer ";
  if (header.size() <= scheme.size()) {
    return {};
  }
  for (std::size_t i = 0; i < scheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(header[i])) != scheme[i]) {
      return {};
    }
  }
  return header.substr(scheme.size());
}

std::optional<requester> ingress_state::requester_of_header(std::string_view header) const {
  auto key = bearer_key(header);
  return key.empty() ? std::nullopt : requester_of_key(key);
}

address_slot::address_slot(std::shared_ptr<ingress_state> state, std::string address)
  : state_(std::move(state)), address_(std::move(address)) {}

address_slot::~address_slot() {
  std::lock_guard<std::mutex> guard{state_->addresses_mutex};
  auto found = state_->connections_by_address.find(address_);
  if (found != state_->connections_by_address.end() && --found->second == 0) {
    state_->connections_by_address.erase(found); // the map holds connected addresses only
  }
}

std::shared_ptr<address_slot> take_address_slot(const std::shared_ptr<ingress_state>& state,
                                                const std::string& address) {
  {
    std::lock_guard<std::mutex> guard{state->addresses_mutex};
    auto& open = state->connections_by_address[address];
    if (open >= state->options.max_connections_per_address) {
      if (open == 0) {
        state->connections_by_address.erase(address);
      }
      return nullptr;
    }
    ++open;
  }
  return std::make_shared<address_slot>(state, address);
}

listener::listener(boost::asio::io_context& context, const boost::asio::ip::tcp::endpoint& endpoint,
                   std::shared_ptr<ingress_state> state)
  : context_(context),
    acceptor_(boost::asio::make_strand(context)),
    backoff_(acceptor_.get_executor()),
    state_(std::move(state)) {
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(boost::asio::socket_base::reuse_address(true));
  acceptor_.bind(endpoint);
  acceptor_.listen(boost::asio::socket_base::max_listen_connections);
}

void listener::run() {
  do_accept();
}

void listener::stop() {
  boost::asio::post(acceptor_.get_executor(), [self = shared_from_this()] {
    boost::system::error_code ignored;
    self->acceptor_.close(ignored);
  });
}

boost::asio::ip::tcp::endpoint listener::local_endpoint() const {
  return acceptor_.local_endpoint();
}

// A connection beyond the node's bound, or its address's, is closed at once: it costs
// nothing more than its accept.
void listener::admit(boost::asio::ip::tcp::socket socket) {
  boost::system::error_code error;
  auto remote = socket.remote_endpoint(error);
  std::shared_ptr<address_slot> slot;
  if (!error && state_->open_connections.load() < state_->options.max_connections) {
    slot = take_address_slot(state_, remote.address().to_string());
  }
  if (!slot) {
    socket.close(error);
    return;
  }
  if (state_->tls) {
    start_session(std::make_shared<http_session<tls_stream>>(
      tls_stream{std::move(socket), *state_->tls}, state_, std::move(slot)));
  } else {
    start_session(std::make_shared<http_session<boost::beast::tcp_stream>>(
      boost::beast::tcp_stream{std::move(socket)}, state_, std::move(slot)));
  }
}

template <class Session>
void listener::start_session(std::shared_ptr<Session> session) {
  state_->register_session(session);
  session->run();
}

void listener::do_accept() {
  acceptor_.async_accept(
    boost::asio::make_strand(context_),
    [self = shared_from_this()](boost::system::error_code error,
                                boost::asio::ip::tcp::socket socket) {
      if (error == boost::asio::error::operation_aborted || !self->acceptor_.is_open()) {
        return;
      }
      if (error) {
        // Out of descriptors or memory: retrying at once would spin; wait a little.
        self->backoff_.expires_after(std::chrono::milliseconds{50});
        self->backoff_.async_wait([self](boost::system::error_code) { self->do_accept(); });
        return;
      }
      self->admit(std::move(socket));
      self->do_accept();
    });
}

} // namespace settle::net
