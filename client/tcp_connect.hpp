// Resolving the server's name and connecting a Beast TCP stream to it, for both of the
// client's connections (HTTP and the event stream). Each step is handed to the
// connection's own `complete(operation, step)`, which waits for it with the call's
// deadline and reports its failure in the connection's own terms.
#pragma once

#include "client/base_url.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/tcp_stream.hpp>

namespace settle::client {

template <class Complete>
void resolve_and_connect(boost::asio::io_context& context, boost::beast::tcp_stream& stream,
                         const base_url& server, Complete complete) {
  using tcp = boost::asio::ip::tcp;
  tcp::resolver resolver(context);
  tcp::resolver::results_type endpoints;
  complete(
    [&](auto handler) {
      resolver.async_resolve(server.host, server.port,
                             [&endpoints, handler](boost::system::error_code error,
                                                   tcp::resolver::results_type found) mutable {
                               endpoints = std::move(found);
                               handler(error);
                             });
    },
    "resolve");
  complete([&](auto handler) { stream.async_connect(endpoints, handler); }, "connect");
}

} // namespace settle::client
