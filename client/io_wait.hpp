// Running an io_context on the caller's thread until one operation has completed or a
// deadline has passed: how the blocking calls of the client get their timeouts from
// Beast's asynchronous operations.
#pragma once

#include <boost/asio/io_context.hpp>

#include <chrono>

namespace settle::client {

using deadline_clock = std::chrono::steady_clock;

// Runs handlers until `done` is true (true) or `deadline` passes first (false). An
// operation still pending then stays pending: a later call can wait for it again.
bool run_until_done(boost::asio::io_context& context, const bool& done,
                    deadline_clock::time_point deadline);

} // namespace settle::client
