// The io_context is restarted when it ran out of work, because run_one_until() does
// nothing on a stopped context and a blocking call would then spin until its deadline.
#include "client/io_wait.hpp"

namespace settle::client {

bool run_until_done(boost::asio::io_context& context, const bool& done,
                    deadline_clock::time_point deadline) {
  while (!done && deadline_clock::now() < deadline) {
    if (context.stopped()) {
      context.restart();
    }
    if (context.run_one_until(deadline) == 0 && !done && context.stopped()) {
      // Nothing is pending at all: waiting longer cannot complete the operation.
      return false;
    }
  }
  return done;
}

} // namespace settle::client
