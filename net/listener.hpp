// Accepts connections and starts a session for each, up to the node's connection cap
// and the cap per client address; a connection beyond either is closed at once.
#pragma once

#include "net/ingress_state.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <memory>

namespace settle::net {

class listener : public std::enable_shared_from_this<listener> {
public:
  // Binds and listens; throws boost::system::system_error when the address is taken.
  listener(boost::asio::io_context& context, const boost::asio::ip::tcp::endpoint& endpoint,
           std::shared_ptr<ingress_state> state);

  void run();
  void stop();
  boost::asio::ip::tcp::endpoint local_endpoint() const;

private:
  void do_accept();
  void admit(boost::asio::ip::tcp::socket socket);
  template <class Session>
  void start_session(std::shared_ptr<Session> session);

  boost::asio::io_context& context_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer backoff_; // after an accept error such as too many open files
  std::shared_ptr<ingress_state> state_;
};

} // namespace settle::net
