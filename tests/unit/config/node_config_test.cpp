// Tests the options that node_config checks after parsing: the idempotency retention
// (a duration of at least 24 h) and the bounds of admission.
#include "config/node_config.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

namespace {

// The sentence finish() answers for these command-line arguments ("" when all is valid).
std::string finish_with(std::vector<std::string> arguments,
                        settle::config::node_config& configuration) {
  arguments.insert(arguments.begin(), "settled");
  std::vector<char*> argv;
  for (auto& argument : arguments) {
    argv.push_back(argument.data());
  }
  if (auto error = configuration.parse(static_cast<int>(argv.size()), argv.data())) {
    return "parse: " + configuration.render(error);
  }
  return configuration.finish();
}

std::string problem_of(std::vector<std::string> arguments) {
  settle::config::node_config configuration;
  return finish_with(std::move(arguments), configuration);
}

std::int64_t retention_of(const std::string& text) {
  settle::config::node_config configuration;
  REQUIRE(finish_with({"--idempotency.retention=" + text}, configuration).empty());
  return configuration.options.idempotency.retention_seconds;
}

} // namespace

TEST_CASE("the idempotency retention is a duration of at least 24 hours", "[node_config]") {
  CHECK(problem_of({}).empty());
  CHECK(retention_of("24h") == 86400);
  CHECK(retention_of("2d") == 172800);
  CHECK(retention_of("1440m") == 86400);
  CHECK(retention_of("86400s") == 86400);
  for (const char* refused : {"23h", "86399s", "1d2h", "h", "24", "-24h", "24H", "99999999999999h"}) {
    INFO(refused);
    CHECK(problem_of({std::string{"--idempotency.retention="} + refused}).find("idempotency.retention") !=
          std::string::npos);
  }
}

TEST_CASE("admission bounds hold at least one batch of the largest size", "[node_config]") {
  CHECK(problem_of({"--http.max-work-per-key=1000", "--http.max-work-in-flight=1000"}).empty());
  CHECK_FALSE(problem_of({"--http.max-work-per-key=999"}).empty());
  CHECK_FALSE(problem_of({"--http.max-work-in-flight=999"}).empty());
  CHECK_FALSE(problem_of({"--http.max-connections-per-address=0"}).empty());
  CHECK_FALSE(problem_of({"--auth.rate-limit=-1"}).empty());
  CHECK(problem_of({"--auth.rate-limit=2.5"}).empty());
}

TEST_CASE("the writer commits on one or two lanes", "[node_config]") {
  CHECK(problem_of({"--storage.commit-lanes=1"}).empty());
  CHECK(problem_of({"--storage.commit-lanes=2"}).empty());
  CHECK(problem_of({"--storage.commit-lanes=0"}).find("commit-lanes") != std::string::npos);
  CHECK(problem_of({"--storage.commit-lanes=3"}).find("commit-lanes") != std::string::npos);
}

TEST_CASE("node-to-node TLS takes all three files, and a non-loopback cluster address needs it",
          "[node_config]") {
  CHECK(problem_of({"--cluster.listen=127.0.0.1:4000"}).empty());
  CHECK(problem_of({"--cluster.listen=[::1]:4000"}).empty());
  CHECK(problem_of({"--cluster.listen=127.0.0.1:40x"}).find("HOST:PORT") != std::string::npos);
  CHECK(problem_of({"--cluster.listen=127.0.0.1"}).find("HOST:PORT") != std::string::npos);
  CHECK(problem_of({"--cluster.listen=10.0.0.5:4000"}).find("cluster.tls") != std::string::npos);
  CHECK(problem_of({"--cluster.listen=0.0.0.0:4000"}).find("cluster.tls") != std::string::npos);
  CHECK(problem_of({"--cluster.tls-ca=/etc/hostname"}).find("all three") != std::string::npos);
  CHECK(problem_of({"--cluster.listen=10.0.0.5:4000", "--cluster.tls-ca=/nonexistent/ca.pem",
                    "--cluster.tls-cert=/nonexistent/node.pem", "--cluster.tls-key=/nonexistent/node.key"})
          .find("cannot read") != std::string::npos);
}
