// Running an io_context on the caller's thread until one operation has completed or a
// deadline has passed: how the blocking calls of the client get their timeouts from
// Beast's asynchronous operations.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/system/error_code.hpp>

#include <chrono>
#include <optional>

namespace settle::client {

using deadline_clock = std::chrono::steady_clock;

// Runs handlers until `done` is true (true) or `deadline` passes first (false). An
// operation still pending then stays pending: a later call can wait for it again.
bool run_until_done(boost::asio::io_context& context, const bool& done,
                    deadline_clock::time_point deadline);

// Starts `operation` (given a completion handler) and waits for it: its error code, or
// nullopt when `deadline` passed first. Then `abandon` closes the socket, and the
// cancelled operation is given a second to finish, so that nothing refers to it later.
template <class Operation, class Abandon>
std::optional<boost::system::error_code> await_operation(boost::asio::io_context& context,
                                                         Operation operation,
                                                         deadline_clock::time_point deadline,
                                                         Abandon abandon) {
  bool done = false;
  boost::system::error_code result;
  operation([&done, &result](boost::system::error_code error, auto&&...) {
    result = error;
    done = true;
  });
  if (!run_until_done(context, done, deadline)) {
    abandon();
    run_until_done(context, done, deadline_clock::now() + std::chrono::seconds(1));
    return std::nullopt;
  }
  return result;
}

} // namespace settle::client
