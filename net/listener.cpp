// The accept loop. Each connection gets its own strand, so several Asio threads can
// serve connections in parallel while each session's handlers never overlap.
#include "net/listener.hpp"

#include "net/http_session.hpp"
#include "net/websocket_session.hpp"

#include <boost/asio/strand.hpp>

#include <cctype>

namespace settle::net {

void ingress_state::register_session(const std::shared_ptr<http_session>& session) {
  std::lock_guard<std::mutex> guard{sessions_mutex};
  // Forget closed sessions now and then, so the list stays as long as the open ones.
  if (sessions.size() > 2 * open_connections.load() + 64) {
    sessions.erase(std::remove_if(sessions.begin(), sessions.end(),
                                  [](const auto& weak) { return weak.expired(); }),
                   sessions.end());
  }
  sessions.push_back(session);
}

void ingress_state::register_stream(const std::shared_ptr<websocket_session>& stream) {
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
  return requester{found->second.tenant, found->second.role == config::key_role::admin};
}

std::optional<requester> ingress_state::requester_of_header(std::string_view header) const {
  constexpr std::string_view scheme = "bearer ";
  if (header.size() <= scheme.size()) {
    return std::nullopt;
  }
  for (std::size_t i = 0; i < scheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(header[i])) != scheme[i]) {
      return std::nullopt;
    }
  }
  return requester_of_key(header.substr(scheme.size()));
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
      {
        if (self->state_->open_connections.load() >= self->state_->options.max_connections) {
          boost::system::error_code ignored;
          socket.close(ignored);
        } else {
          auto session = std::make_shared<http_session>(std::move(socket), self->state_);
          self->state_->register_session(session);
          session->run();
        }
      }
      self->do_accept();
    });
}

} // namespace settle::net
