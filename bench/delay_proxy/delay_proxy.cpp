// A TCP proxy that delays every byte by a fixed time each way: PostgreSQL "one network
// hop away" on one machine, for bench/cluster (DATABASE_DELAY_MS). Bytes keep their
// order and are never merged across the delay: each chunk read is written to the other
// side once `delay` has passed since it arrived, so a round trip through the proxy costs
// twice the delay plus what the database takes, as on a network with that latency (and
// no bandwidth limit).
//
//   settle_delay_proxy LISTEN_PORT TARGET_HOST TARGET_PORT DELAY_MICROSECONDS
//
// One thread, Asio; runs until killed. Prints "listening on 127.0.0.1:PORT" when ready.
#include <boost/asio.hpp>

#include <chrono>
#include <cstdio>
#include <deque>
#include <memory>
#include <string>
#include <vector>

namespace asio = boost::asio;
using asio::ip::tcp;
using clock_type = std::chrono::steady_clock;

namespace {

constexpr std::size_t read_size = 64 * 1024;
// Bytes on their way in one direction beyond which reading pauses: the proxy's memory is
// bounded whatever the peers do.
constexpr std::size_t in_flight_limit = 16 * 1024 * 1024;

// One direction of a connection: reads from `from`, writes to `to` each chunk `delay`
// after it arrived, one write at a time.
class delayed_pipe : public std::enable_shared_from_this<delayed_pipe> {
public:
  delayed_pipe(std::shared_ptr<tcp::socket> from, std::shared_ptr<tcp::socket> to,
               clock_type::duration delay)
      : from_(std::move(from)), to_(std::move(to)), delay_(delay), timer_(to_->get_executor()) {}

  void start() { read(); }

private:
  struct chunk {
    clock_type::time_point due;
    std::vector<char> bytes;
  };

  void read() {
    if (in_flight_ >= in_flight_limit) {
      reading_paused_ = true;
      return;
    }
    auto buffer = std::make_shared<std::vector<char>>(read_size);
    from_->async_read_some(asio::buffer(*buffer), [self = shared_from_this(), buffer](
                                                      boost::system::error_code error, std::size_t size) {
      if (error) {
        self->close_after_queue();
        return;
      }
      buffer->resize(size);
      self->in_flight_ += size;
      self->queue_.push_back(chunk{clock_type::now() + self->delay_, std::move(*buffer)});
      if (self->queue_.size() == 1) {
        self->write_when_due();
      }
      self->read();
    });
  }

  void write_when_due() {
    if (queue_.empty()) {
      if (source_closed_) {
        shut_down();
      }
      return;
    }
    timer_.expires_at(queue_.front().due);
    timer_.async_wait([self = shared_from_this()](boost::system::error_code error) {
      if (error) {
        return;
      }
      auto& bytes = self->queue_.front().bytes;
      asio::async_write(*self->to_, asio::buffer(bytes),
                        [self](boost::system::error_code write_error, std::size_t written) {
                          if (write_error) {
                            self->shut_down();
                            return;
                          }
                          self->in_flight_ -= written;
                          self->queue_.pop_front();
                          if (self->reading_paused_ && self->in_flight_ < in_flight_limit) {
                            self->reading_paused_ = false;
                            self->read();
                          }
                          self->write_when_due();
                        });
    });
  }

  // The source ended: what it sent still goes out, then the other side is told.
  void close_after_queue() {
    source_closed_ = true;
    if (queue_.empty()) {
      shut_down();
    }
  }

  void shut_down() {
    boost::system::error_code ignored;
    to_->shutdown(tcp::socket::shutdown_send, ignored);
    from_->shutdown(tcp::socket::shutdown_receive, ignored);
  }

  std::shared_ptr<tcp::socket> from_;
  std::shared_ptr<tcp::socket> to_;
  clock_type::duration delay_;
  asio::steady_timer timer_;
  std::deque<chunk> queue_;
  std::size_t in_flight_ = 0;
  bool reading_paused_ = false;
  bool source_closed_ = false;
};

class proxy {
public:
  proxy(asio::io_context& context, unsigned short listen_port, tcp::endpoint target,
        clock_type::duration delay)
      : context_(context), acceptor_(context, tcp::endpoint{asio::ip::make_address("127.0.0.1"), listen_port}),
        target_(target), delay_(delay) {}

  unsigned short port() const { return acceptor_.local_endpoint().port(); }

  void accept() {
    acceptor_.async_accept([this](boost::system::error_code error, tcp::socket client) {
      if (!error) {
        connect(std::make_shared<tcp::socket>(std::move(client)));
      }
      accept();
    });
  }

private:
  void connect(std::shared_ptr<tcp::socket> client) {
    auto server = std::make_shared<tcp::socket>(context_);
    server->async_connect(target_, [this, client, server](boost::system::error_code error) {
      if (error) {
        return; // the client's socket closes with the last reference
      }
      client->set_option(tcp::no_delay(true));
      server->set_option(tcp::no_delay(true));
      std::make_shared<delayed_pipe>(client, server, delay_)->start();
      std::make_shared<delayed_pipe>(server, client, delay_)->start();
    });
  }

  asio::io_context& context_;
  tcp::acceptor acceptor_;
  tcp::endpoint target_;
  clock_type::duration delay_;
};

} // namespace

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: %s LISTEN_PORT TARGET_HOST TARGET_PORT DELAY_MICROSECONDS\n",
                 argv[0]);
    return 2;
  }
  try {
    asio::io_context context{1};
    tcp::resolver resolver{context};
    auto target = *resolver.resolve(argv[2], argv[3]).begin();
    proxy delaying{context, static_cast<unsigned short>(std::stoi(argv[1])), target.endpoint(),
                   std::chrono::microseconds{std::stoll(argv[4])}};
    delaying.accept();
    std::printf("listening on 127.0.0.1:%u\n", delaying.port());
    std::fflush(stdout);
    context.run();
  } catch (const std::exception& error) {
    std::fprintf(stderr, "settle_delay_proxy: %s\n", error.what());
    return 1;
  }
}
