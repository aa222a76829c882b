// One thread runs the proxy's io_context; the test thread only sets fault flags (under a
// mutex) or posts work to that thread and waits for it.
#include "tests/client/fault_proxy.hpp"

#include <boost/asio.hpp>

#include <array>
#include <future>
#include <list>
#include <mutex>
#include <thread>
#include <utility>

namespace settle::client_tests {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

// What the connections read from the test thread's settings, and what they record.
struct fault_settings {
  mutable std::mutex mutex;
  std::uint16_t target_port = 0;
  bool drop_next_answer = false;
  int canned_answers_left = 0;
  std::string canned_answer;
  std::string client_bytes;
};

// One client connection and its connection to the server, pumping both ways.
class proxied_connection : public std::enable_shared_from_this<proxied_connection> {
 public:
  proxied_connection(tcp::socket client, fault_settings& settings)
      : client_(std::move(client)), server_(client_.get_executor()), settings_(settings) {}

  void start(std::uint16_t target_port) {
    tcp::endpoint target{asio::ip::make_address("127.0.0.1"), target_port};
    server_.async_connect(target, [self = shared_from_this()](boost::system::error_code error) {
      if (error) {
        self->close(); // the server is down: the client sees its connection end
        return;
      }
      self->pump_from_client();
      self->pump_from_server();
    });
  }

  void close() {
    boost::system::error_code ignored;
    client_.shutdown(tcp::socket::shutdown_both, ignored);
    client_.close(ignored);
    server_.shutdown(tcp::socket::shutdown_both, ignored);
    server_.close(ignored);
  }

 private:
  void pump_from_client() {
    client_.async_read_some(asio::buffer(from_client_), [self = shared_from_this()](auto error, std::size_t size) {
      if (error) {
        self->close();
        return;
      }
      self->forward_request(size);
    });
  }

  void forward_request(std::size_t size) {
    std::string canned;
    {
      std::lock_guard lock(settings_.mutex);
      settings_.client_bytes.append(from_client_.data(), size);
      if (settings_.canned_answers_left > 0) {
        --settings_.canned_answers_left;
        canned = settings_.canned_answer;
      }
    }
    if (!canned.empty()) {
      auto answer = std::make_shared<std::string>(std::move(canned));
      asio::async_write(client_, asio::buffer(*answer), [self = shared_from_this(), answer](auto, std::size_t) {
        self->close();
      });
      return;
    }
    asio::async_write(server_, asio::buffer(from_client_.data(), size), [self = shared_from_this()](auto error, std::size_t) {
      if (error) {
        self->close();
        return;
      }
      self->pump_from_client();
    });
  }

  void pump_from_server() {
    server_.async_read_some(asio::buffer(from_server_), [self = shared_from_this()](auto error, std::size_t size) {
      if (error || self->take_drop_flag()) {
        self->close();
        return;
      }
      asio::async_write(self->client_, asio::buffer(self->from_server_.data(), size),
                        [self](auto write_error, std::size_t) {
                          if (write_error) {
                            self->close();
                            return;
                          }
                          self->pump_from_server();
                        });
    });
  }

  bool take_drop_flag() {
    std::lock_guard lock(settings_.mutex);
    return std::exchange(settings_.drop_next_answer, false);
  }

  tcp::socket client_;
  tcp::socket server_;
  fault_settings& settings_;
  std::array<char, 64 * 1024> from_client_{};
  std::array<char, 64 * 1024> from_server_{};
};

} // namespace

struct fault_proxy::state : std::enable_shared_from_this<fault_proxy::state> {
  asio::io_context context;
  tcp::acceptor acceptor{context, tcp::endpoint{asio::ip::make_address("127.0.0.1"), 0}};
  fault_settings settings;
  // Only touched on the proxy's thread.
  std::list<std::weak_ptr<proxied_connection>> connections;
  std::thread runner;

  void accept() {
    acceptor.async_accept([this](boost::system::error_code error, tcp::socket client) {
      if (error) {
        return; // the acceptor was closed: the proxy is going away
      }
      auto connection = std::make_shared<proxied_connection>(std::move(client), settings);
      connections.push_back(connection);
      std::uint16_t target;
      {
        std::lock_guard lock(settings.mutex);
        target = settings.target_port;
      }
      connection->start(target);
      accept();
    });
  }

  // Runs `work` on the proxy's thread and waits for it.
  template <class Work>
  void on_proxy_thread(Work work) {
    std::promise<void> finished;
    asio::post(context, [&] {
      work();
      finished.set_value();
    });
    finished.get_future().wait();
  }
};

fault_proxy::fault_proxy(std::uint16_t target_port) : state_(std::make_shared<state>()) {
  state_->settings.target_port = target_port;
  state_->accept();
  state_->runner = std::thread([state = state_.get()] { state->context.run(); });
}

fault_proxy::~fault_proxy() {
  cut_connections();
  state_->on_proxy_thread([this] { state_->acceptor.close(); });
  state_->context.stop();
  state_->runner.join();
}

std::uint16_t fault_proxy::port() const { return state_->acceptor.local_endpoint().port(); }

std::string fault_proxy::base_url() const { return "http://127.0.0.1:" + std::to_string(port()); }

void fault_proxy::retarget(std::uint16_t target_port) {
  std::lock_guard lock(state_->settings.mutex);
  state_->settings.target_port = target_port;
}

void fault_proxy::drop_next_answer() {
  std::lock_guard lock(state_->settings.mutex);
  state_->settings.drop_next_answer = true;
}

void fault_proxy::answer_next_requests_with(int count, std::string raw_response) {
  std::lock_guard lock(state_->settings.mutex);
  state_->settings.canned_answers_left = count;
  state_->settings.canned_answer = std::move(raw_response);
}

void fault_proxy::cut_connections() {
  state_->on_proxy_thread([this] {
    for (auto& weak : state_->connections) {
      if (auto connection = weak.lock()) {
        connection->close();
      }
    }
    state_->connections.clear();
  });
}

std::string fault_proxy::client_bytes() const {
  std::lock_guard lock(state_->settings.mutex);
  return state_->settings.client_bytes;
}

int fault_proxy::count_in_client_bytes(const std::string& needle) const {
  auto haystack = client_bytes();
  int found = 0;
  for (auto at = haystack.find(needle); at != std::string::npos; at = haystack.find(needle, at + needle.size())) {
    ++found;
  }
  return found;
}

} // namespace settle::client_tests
