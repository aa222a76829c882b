// Ingress lifecycle: listener, Asio threads, draining.
#include "net/server.hpp"

#include "domain/host_port.hpp"

#include "net/http_session.hpp"
#include "net/listener.hpp"
#include "net/message_catalogue.hpp"
#include "net/openapi_document.hpp"
#include "net/websocket_session.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <tuple>
#include <thread>

namespace settle::net {

struct http_server::implementation {
  boost::asio::io_context context;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work{
    context.get_executor()};
  std::shared_ptr<ingress_state> state = std::make_shared<ingress_state>();
  std::shared_ptr<listener> acceptor;
  std::vector<std::thread> threads;
};

namespace {

// The dashboard's files, read once at start (a missing file is served as a short note),
// and the OpenAPI document and the language catalogues compiled in.
web_files load_documents(const std::string& web_root) {
  web_files files;
  for (auto [path, name, type] : {std::tuple{"/", "index.html", "text/html; charset=utf-8"},
                                  std::tuple{"/app.js", "app.js", "text/javascript; charset=utf-8"},
                                  std::tuple{"/style.css", "style.css", "text/css; charset=utf-8"}}) {
    std::ifstream file{web_root + "/" + name};
    std::stringstream text;
    if (file) {
      text << file.rdbuf();
    } else {
      text << "/* " << name << " was not found in " << web_root << " */";
    }
    files[path] = web_file{type, text.str()};
  }
  files["/openapi.yaml"] = web_file{"application/yaml", std::string{openapi_document()}};
  for (auto chosen : languages) {
    files["/i18n/" + std::string{language_tag(chosen)} + ".json"] =
      web_file{"application/json; charset=utf-8", std::string{catalogue_text(chosen)}};
  }
  return files;
}

// The server side of HTTPS: TLS 1.2 or newer, the certificate chain and key from PEM
// files. Throws std::runtime_error naming the file that could not be used.
std::shared_ptr<boost::asio::ssl::context> load_tls_context(const std::string& certificate,
                                                            const std::string& key) {
  namespace ssl = boost::asio::ssl;
  auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
  context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2
                       | ssl::context::no_sslv3 | ssl::context::no_tlsv1
                       | ssl::context::no_tlsv1_1 | ssl::context::single_dh_use);
  boost::system::error_code error;
  context->use_certificate_chain_file(certificate, error);
  if (error) {
    throw std::runtime_error{"cannot use --http.tls-cert=" + certificate + ": " + error.message()};
  }
  context->use_private_key_file(key, ssl::context::pem, error);
  if (error) {
    throw std::runtime_error{"cannot use --http.tls-key=" + key + ": " + error.message()};
  }
  return context;
}

// The live entries of `connections`, taken under the lock and used outside it.
template <class Connection>
std::vector<std::shared_ptr<Connection>> live(ingress_state& state,
                                              std::vector<std::weak_ptr<Connection>>& connections) {
  std::vector<std::shared_ptr<Connection>> open;
  std::lock_guard<std::mutex> guard{state.sessions_mutex};
  for (auto& weak : connections) {
    if (auto connection = weak.lock()) {
      open.push_back(std::move(connection));
    }
  }
  return open;
}

void shut_down_streams(ingress_state& state) {
  for (auto& stream : live(state, state.streams)) {
    stream->shut_down();
  }
}

void close_quiet_sessions(ingress_state& state, std::chrono::steady_clock::duration quiet) {
  for (auto& session : live(state, state.sessions)) {
    session->close_if_idle(quiet);
  }
}

} // namespace

http_server::http_server(gateway_actor gateway, event_hub_actor events,
                         config::http_options options, config::key_table keys,
                         const std::string& web_root)
  : implementation_(std::make_unique<implementation>()) {
  auto& state = *implementation_->state;
  state.gateway = std::move(gateway);
  state.events = std::move(events);
  state.options = std::move(options);
  state.keys = std::move(keys);
  std::vector<std::string> key_names;
  for (const auto& [key, _] : state.keys) {
    key_names.push_back(key);
  }
  state.admission_control = std::make_shared<admission>(
    admission_limits{state.options.rate_limit, state.options.max_work_in_flight,
                     state.options.max_work_per_key},
    key_names);
  state.documents = load_documents(web_root);
  if (!state.options.tls_certificate.empty()) {
    state.tls = load_tls_context(state.options.tls_certificate, state.options.tls_key);
  }
}

http_server::~http_server() {
  stop();
}

std::string http_server::start() {
  auto& self = *implementation_;
  auto listen = parse_host_port(self.state->options.listen);
  if (!listen) {
    throw std::runtime_error{"--http.listen must be HOST:PORT, got " + self.state->options.listen};
  }
  const auto& [host, port] = *listen;
  boost::system::error_code error;
  auto address = boost::asio::ip::make_address(host == "localhost" ? "127.0.0.1" : host, error);
  if (error) {
    throw std::runtime_error{"--http.listen has an invalid address: " + host};
  }
  try {
    self.acceptor = std::make_shared<listener>(self.context,
                                               boost::asio::ip::tcp::endpoint{address, port},
                                               self.state);
  } catch (const boost::system::system_error& failure) {
    throw std::runtime_error{"cannot listen on " + self.state->options.listen + ": "
                             + failure.what()};
  }
  self.acceptor->run();
  for (std::size_t i = 0; i < self.state->options.threads; ++i) {
    self.threads.emplace_back([&context = self.context] { context.run(); });
  }
  auto bound = self.acceptor->local_endpoint();
  auto bound_host = bound.address().is_v6() ? "[" + bound.address().to_string() + "]"
                                            : bound.address().to_string();
  return bound_host + ":" + std::to_string(bound.port());
}

void http_server::drain(std::chrono::milliseconds limit) {
  auto& self = *implementation_;
  if (!self.acceptor) {
    return;
  }
  self.state->draining = true;
  self.acceptor->stop();
  shut_down_streams(*self.state);
  // A kept-alive connection in use gets Connection: close with its next answer. One is
  // closed by the server only once it has been quiet for a while: HTTP cannot tell a
  // close that meets a request its client was just sending from a crash, and a client
  // that uses a connection often is the one about to send on it.
  constexpr auto quiet = std::chrono::seconds{1};
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (self.state->open_connections.load() > 0 && std::chrono::steady_clock::now() < deadline) {
    close_quiet_sessions(*self.state, quiet);
    std::this_thread::sleep_for(std::chrono::milliseconds{100});
  }
}

void http_server::stop() {
  auto& self = *implementation_;
  self.work.reset();
  self.context.stop();
  for (auto& thread : self.threads) {
    if (thread.joinable()) {
      thread.join();
    }
  }
  self.threads.clear();
}

void check_tls_files(const std::string& certificate, const std::string& key) {
  load_tls_context(certificate, key);
}

} // namespace settle::net
