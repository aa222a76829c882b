// The operational endpoints, served without a key: health, readiness, Prometheus
// metrics, the dashboard, the OpenAPI document; the admin's cluster view of a single
// node; and settled --check-config.
#include "tests/integration/harness/child_process.hpp"
#include "tests/integration/harness/testing.hpp"

#include <filesystem>
#include <iterator>
#include <regex>
#include <set>
#include <fstream>
#include <sstream>
#include <utility>
#include <vector>

using namespace settle::integration;

namespace {

bool has_line_starting(const std::string& text, const std::string& prefix) {
  return text.rfind(prefix, 0) == 0 || text.find("\n" + prefix) != std::string::npos;
}

// A sample line of the metric whose labels include every one given.
bool has_sample_with_labels(const std::string& text, const std::string& metric,
                            std::initializer_list<std::string> labels) {
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind(metric + "{", 0) != 0) {
      continue;
    }
    bool all = true;
    for (const auto& label : labels) {
      all = all && line.find(label) != std::string::npos;
    }
    if (all) {
      return true;
    }
  }
  return false;
}

// The value of the sample line of `series` (its name and labels as rendered), -1 when
// there is none.
long long sample_value(const std::string& text, const std::string& series) {
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind(series + " ", 0) == 0) {
      return std::stoll(line.substr(series.size() + 1));
    }
  }
  return -1;
}

}  // namespace

TEST_CASE("healthz answers ok without a key", "[operations]") {
  const auto response = shared_server().anonymous().get("/healthz");
  REQUIRE_STATUS(response, 200);
  CHECK(json_object(response) == boost::json::object{{"status", "ok"}});
}

TEST_CASE("readyz answers 200 while the database is reachable", "[operations]") {
  CHECK_STATUS(shared_server().anonymous().get("/readyz"), 200);
}

TEST_CASE("metrics are Prometheus text with the HTTP request series", "[operations]") {
  auto& server = shared_server();
  create_user(server.acme());
  const auto response = server.anonymous().get("/metrics");
  REQUIRE_STATUS(response, 200);
  CHECK(response.header("Content-Type").value_or("").rfind("text/plain", 0) == 0);
  const auto& text = response.body;
  CHECK(has_line_starting(text, "# TYPE settle_http_requests_total counter"));
  CHECK(has_line_starting(text, "# TYPE settle_http_request_duration_seconds histogram"));
  CHECK(has_sample_with_labels(text, "settle_http_requests_total", {"route=", "method=\"POST\"", "status=\"201\""}));
  CHECK(has_sample_with_labels(text, "settle_http_request_duration_seconds_bucket", {"route=", "le=\"+Inf\""}));
  CHECK(has_line_starting(text, "settle_http_request_duration_seconds_count"));
  CHECK(has_line_starting(text, "settle_http_request_duration_seconds_sum"));
}

// One node, one commit lane, PostgreSQL: the writer alone changes the accounts, so it
// sends a payment between accounts its own commits left in one round trip; the balances
// and running balances are what asking the database gives. SQLite always asks.
TEST_CASE("a single node's writer pays between accounts it knows without asking the database"
          " for their balances", "[operations]") {
  test_server server{{"--storage.commit-lanes=1"}};
  auto& client = server.acme();
  const auto payer = funded_account(client, 1000); // the world account is new to the writer
  const auto payee = new_account(client);
  for (std::int64_t amount = 10; amount < 15; ++amount) {
    REQUIRE_STATUS(post_transfer(client, payer, payee, amount), 201);
  }
  const auto metrics = server.anonymous().get("/metrics").body;
  auto groups = [&](const std::string& source) {
    return sample_value(metrics, "settle_commit_balances_total{source=\"" + source + "\"}");
  };
  const bool one_round_trip = storage_kind_from_environment() == "postgresql";
  CHECK(groups("known") == (one_round_trip ? 5 : 0));
  CHECK(groups("asked") == (one_round_trip ? 1 : 6));
  CHECK(groups("moved") == 0);
  CHECK(balance_of(client, payer) == 940);
  CHECK(balance_of(client, payee) == 60);
  const auto entries = get_list(client, account_path(payee) + "/entries");
  std::vector<std::int64_t> running;
  for (const auto& entry : entries.data) {
    running.push_back(integer_field(entry, "balance_after"));
  }
  CHECK(running == std::vector<std::int64_t>{60, 46, 33, 21, 10});
  const auto payer_entries = get_list(client, account_path(payer) + "/entries?limit=1");
  REQUIRE(payer_entries.data.size() == 1);
  CHECK(integer_field(payer_entries.data[0], "balance_after") == 940);
}

TEST_CASE("the Grafana dashboard asks only for series settled exports", "[operations]") {
  auto& server = shared_server();
  deposit(server.acme(), new_account(server.acme()), 100); // every series has a sample
  const auto metrics = server.anonymous().get("/metrics").body;
  std::ifstream file{SETTLE_GRAFANA_DASHBOARD};
  REQUIRE(file);
  const auto dashboard = parse_json(std::string{std::istreambuf_iterator<char>{file}, {}});
  std::set<std::string> asked;
  for (const auto& panel : dashboard.at("panels").as_array()) {
    for (const auto& target : panel.at("targets").as_array()) {
      const std::string expression{target.at("expr").as_string()};
      const std::regex series{"settle_[a-z_]+"};
      for (std::sregex_iterator match{expression.begin(), expression.end(), series}, end;
           match != end; ++match) {
        asked.insert(match->str());
      }
    }
  }
  CHECK(asked.size() >= 8);
  for (const auto& name : asked) {
    INFO(name);
    CHECK((has_line_starting(metrics, name + "{") || has_line_starting(metrics, name + " ")));
  }
}

TEST_CASE("every answer carries an X-Request-Id: the client's own when plausible, else a new one",
          "[operations]") {
  auto& client = shared_server().acme();
  const auto first = client.get("/v1/users").header("X-Request-Id");
  const auto second = client.get("/v1/users").header("X-Request-Id");
  REQUIRE(first.has_value());
  REQUIRE(second.has_value());
  CHECK(first->rfind("req_", 0) == 0);
  CHECK(*first != *second);
  CHECK(client.send("GET", "/v1/nothing", "", {{"X-Request-Id", "trace-42.a_b:c"}}).header("X-Request-Id")
        == "trace-42.a_b:c");
  for (const auto& implausible : {std::string(129, 'a'), std::string{"a b"}, std::string{"<x>"}}) {
    const auto answered = client.send("GET", "/v1/users", "", {{"X-Request-Id", implausible}});
    REQUIRE(answered.header("X-Request-Id").has_value());
    CHECK(answered.header("X-Request-Id")->rfind("req_", 0) == 0);
  }
}

TEST_CASE("the log is one JSON object per line, with time, level and message", "[operations]") {
  test_server server;
  CHECK_STATUS(server.acme().get("/v1/users"), 200);
  REQUIRE(server.process().stop().clean()); // SIGTERM: the node logs that it drains
  std::ifstream log{server.process().options().log_path};
  std::string line;
  int json_lines = 0;
  while (std::getline(log, line)) {
    if (line.empty() || line.rfind("settled ", 0) == 0 || line.rfind("---- ", 0) == 0) {
      continue; // standard output (the ready line, a run's key) and the harness's marks
    }
    INFO(line);
    const auto entry = parse_json(line);
    REQUIRE(entry.is_object());
    CHECK(entry.as_object().at("time").is_string());
    CHECK(entry.as_object().at("level").is_string());
    CHECK(entry.as_object().at("message").is_string());
    ++json_lines;
  }
  CHECK(json_lines >= 1);
}

TEST_CASE("the dashboard is served at /", "[operations]") {
  const auto response = shared_server().anonymous().get("/");
  REQUIRE_STATUS(response, 200);
  CHECK(response.header("Content-Type").value_or("").rfind("text/html", 0) == 0);
}

TEST_CASE("the OpenAPI document is served at /openapi.yaml without a key", "[operations]") {
  const auto response = shared_server().anonymous().get("/openapi.yaml");
  REQUIRE_STATUS(response, 200);
  CHECK(response.header("Content-Type").value_or("") == "application/yaml");
  CHECK(response.body.rfind("openapi: 3.0.3\n", 0) == 0);
  CHECK(response.body.find("\n  /v1/transfers/batch:\n") != std::string::npos);
  CHECK_STATUS(shared_server().anonymous().post_text("/openapi.yaml", "{}"), 405);
}

TEST_CASE("settled --check-config checks the options and the files they name, and opens "
          "nothing",
          "[operations]") {
  const auto directory = make_temporary_directory();
  const auto keys = directory + "/keys";
  std::ofstream{keys} << acme_key << " acme tenant\n";
  const auto database = directory + "/never-made.db";
  auto check = [&](std::vector<std::string> arguments) {
    arguments.insert(arguments.begin(), {settled_binary(), "--check-config",
                                         "--storage.url=sqlite:" + database});
    return run_to_exit(arguments, directory + "/check.log", std::chrono::seconds(30));
  };
  const auto valid = check({"--auth.keys-file=" + keys});
  INFO(valid.log);
  CHECK(valid.status.clean());
  CHECK(valid.log.find("the configuration is valid") != std::string::npos);
  for (const auto& [arguments, why] : std::vector<std::pair<std::vector<std::string>, std::string>>{
         {{"--auth.keys-file=" + directory + "/missing"}, "cannot read the keys file"},
         {{"--http.listen=0.0.0.0:8080"}, "only a loopback address"},
         {{"--http.listen=127.0.0.1:80x"}, "HOST:PORT"},
         {{"--http.tls-cert=" + keys, "--http.tls-key=" + keys}, "cannot use --http.tls-cert"},
         {{"--storage.url=mysql://localhost/ledger"}, "unsupported --storage.url"},
         {{"--idempotency.retention=1h"}, "idempotency.retention"}}) {
    const auto refused = check(arguments);
    INFO(refused.log);
    CHECK(refused.status.exited);
    CHECK(refused.status.code == 2);
    CHECK(refused.log.find(why) != std::string::npos);
  }
  CHECK_FALSE(std::filesystem::exists(database));
  std::filesystem::remove_all(directory);
}

TEST_CASE("the cluster view of a single node names it", "[operations]") {
  const auto cluster = get_object(shared_server().admin(), "/v1/cluster");
  CHECK(string_field(cluster, "node_id") == "test-node");
  REQUIRE(cluster.at("nodes").is_array());
  bool listed = false;
  for (const auto& node : cluster.at("nodes").as_array()) {
    listed = listed || (node.as_object().at("id") == "test-node" && node.as_object().at("state") == "up");
  }
  CHECK(listed);
}
