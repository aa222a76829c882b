// Webhooks (API.md, Webhooks): endpoints as objects of a tenant with a secret shown once;
// events arriving signed, filtered and in seq order, exactly those of the endpoint's
// tenant committed after its creation; retries with backoff until a 2xx; a disabled
// endpoint receiving nothing and, enabled again, only what was committed after; manual
// retries; addresses refused without --webhooks.allow-private; other tenants' 404s.
// A receiver in the test (harness/webhook_receiver) checks each signature on its own.
#include "tests/integration/harness/event_helpers.hpp"
#include "tests/integration/harness/test_cluster.hpp"
#include "tests/integration/harness/testing.hpp"
#include "tests/integration/harness/transfer_load.hpp"
#include "tests/integration/harness/webhook_receiver.hpp"

#include <algorithm>
#include <atomic>
#include <iostream>
#include <optional>
#include <thread>

using namespace settle::integration;
namespace json = boost::json;
using namespace std::chrono_literals;

namespace {

const auto endpoint_keys =
  key_set({"id", "object", "url", "events", "description", "status", "created_at"});
const auto delivery_keys =
  key_set({"id", "object", "endpoint_id", "event_seq", "event", "status", "attempts",
           "last_status_code", "next_attempt_at", "created_at"});

const std::vector<std::string> allow_private{"--webhooks.allow-private"};

std::string endpoint_path(const std::string& id) { return "/v1/webhook_endpoints/" + id; }
std::string deliveries_path(const std::string& id) { return endpoint_path(id) + "/deliveries"; }

json::array names(std::initializer_list<const char*> events) {
  json::array array;
  for (const auto* event : events) {
    array.emplace_back(event);
  }
  return array;
}

// Creates an endpoint that must answer 201 and tells the receiver its secret.
json::object create_endpoint(api_client& client, webhook_receiver& receiver, json::array events,
                             const std::string& path = "/hooks") {
  auto response = client.post("/v1/webhook_endpoints",
                              json::object{{"url", receiver.url(path)}, {"events", events}});
  REQUIRE_STATUS(response, 201);
  auto endpoint = json_object(response);
  receiver.set_secret(string_field(endpoint, "secret"));
  return endpoint;
}

void move_money(api_client& client, const std::string& from, const std::string& to,
                std::int64_t amount) {
  REQUIRE_STATUS(post_transfer(client, from, to, amount), 201);
}

std::vector<std::int64_t> seqs_of(const std::vector<received_webhook>& received) {
  std::vector<std::int64_t> seqs;
  for (const auto& webhook : received) {
    seqs.push_back(webhook.seq);
  }
  return seqs;
}

// The seqs of the events the endpoint's filters pass among those the client sees after
// `after`.
std::vector<std::int64_t> expected_seqs(api_client& client, std::int64_t after,
                                        const std::function<bool(const std::string&)>& passes) {
  std::vector<std::int64_t> seqs;
  for (const auto& event : events_after(client, after)) {
    if (passes(name_of(event))) {
      seqs.push_back(seq_of(event));
    }
  }
  return seqs;
}

bool has_at_least(const std::vector<received_webhook>& received, std::size_t count) {
  return received.size() >= count;
}

// The endpoint's deliveries once `done` holds for them (an outcome is stored just after
// the receiver answered), or as they are after 30 s.
std::vector<json::object>
deliveries_when(api_client& client, const std::string& endpoint_id,
                const std::function<bool(const std::vector<json::object>&)>& done) {
  auto deadline = std::chrono::steady_clock::now() + 30s;
  auto deliveries = list_all(client, deliveries_path(endpoint_id));
  while (!done(deliveries) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(50ms);
    deliveries = list_all(client, deliveries_path(endpoint_id));
  }
  return deliveries;
}

bool all_succeeded(const std::vector<json::object>& deliveries, std::size_t count) {
  return deliveries.size() == count
         && std::all_of(deliveries.begin(), deliveries.end(), [](const json::object& delivery) {
              return string_field(delivery, "status") == "succeeded";
            });
}

}  // namespace

TEST_CASE("a webhook endpoint shows its secret once and lists like any object", "[webhooks]") {
  test_server server{allow_private};
  webhook_receiver receiver;
  auto& acme = server.acme();
  auto created = create_endpoint(acme, receiver, names({"transfer.settled", "order.*"}));
  CHECK(string_field(created, "secret").rfind("whsec_", 0) == 0);
  CHECK(string_field(created, "secret").size() == 6 + 64);
  auto id = id_of(created);
  CHECK(id.rfind("whe_", 0) == 0);
  CHECK(string_field(created, "status") == "enabled");
  CHECK(string_field(created, "description").empty());
  CHECK(string_field(created, "url") == receiver.url());
  CHECK(created.at("events").as_array() == names({"transfer.settled", "order.*"}));

  auto fetched = get_object(acme, endpoint_path(id));
  CHECK(keys_of(fetched) == endpoint_keys);
  created.erase("secret");
  CHECK(fetched == created);
  auto listed = list_all(acme, "/v1/webhook_endpoints");
  REQUIRE(listed.size() == 1);
  CHECK(listed.front() == created);

  auto changed = acme.put(endpoint_path(id), json::object{{"description", "orders desk"},
                                                          {"events", names({"*"})}});
  REQUIRE_STATUS(changed, 200);
  auto updated = json_object(changed);
  CHECK(keys_of(updated) == endpoint_keys);
  CHECK(string_field(updated, "description") == "orders desk");
  CHECK(updated.at("events").as_array() == names({"*"}));

  auto deleted = acme.remove(endpoint_path(id));
  REQUIRE_STATUS(deleted, 200);
  CHECK(json_object(deleted) ==
        json::object{{"id", id}, {"object", "webhook_endpoint"}, {"deleted", true}});
  CHECK_ERROR(acme.get(endpoint_path(id)), 404, "not_found", any_param);
  CHECK_ERROR(acme.get(deliveries_path(id)), 404, "not_found", any_param);
  CHECK(list_all(acme, "/v1/webhook_endpoints").empty());
}

TEST_CASE("webhook requests are refused field by field and change nothing", "[webhooks]") {
  auto& acme = shared_server().acme();
  auto url = "https://93.184.216.34/hooks"; // a public literal: judged without DNS
  auto refused = [&](json::object body, const char* code, const char* field) {
    CHECK_ERROR(acme.post("/v1/webhook_endpoints", body), 422, code, param(field));
  };
  refused({{"events", names({"*"})}}, "missing_parameter", "url");
  refused({{"url", url}}, "missing_parameter", "events");
  refused({{"url", url}, {"events", names({})}}, "invalid_parameter", "events");
  refused({{"url", url}, {"events", names({"transfer.sent"})}}, "invalid_parameter", "events");
  refused({{"url", url}, {"events", names({"*", "*"})}}, "invalid_parameter", "events");
  refused({{"url", url}, {"events", "*"}}, "invalid_parameter", "events");
  refused({{"url", url}, {"events", json::array{1}}}, "invalid_parameter", "events");
  refused({{"url", url}, {"events", names({"*"})}, {"secret", "mine"}}, "unknown_parameter",
          "secret");
  for (const char* bad : {"ftp://example.com/", "not a url", "http://", "https://user:pw@a.b/",
                          "http://example.com/#fragment"}) {
    CAPTURE(bad);
    refused({{"url", bad}, {"events", names({"*"})}}, "invalid_parameter", "url");
  }
  // Without --webhooks.allow-private no loopback, private or link-local target.
  for (const char* inside : {"http://127.0.0.1:9/hooks", "http://localhost/", "http://[::1]/",
                             "http://10.1.2.3/", "http://192.168.0.10/", "http://172.16.0.1/",
                             "http://169.254.169.254/latest/meta-data", "http://0.0.0.0/",
                             "http://[::ffff:127.0.0.1]/", "http://100.64.0.1/"}) {
    CAPTURE(inside);
    refused({{"url", inside}, {"events", names({"*"})}}, "invalid_parameter", "url");
  }
  auto public_endpoint = acme.post("/v1/webhook_endpoints",
                                   json::object{{"url", url}, {"events", names({"user.deleted"})}});
  REQUIRE_STATUS(public_endpoint, 201);
  auto id = id_of(json_object(public_endpoint));
  CHECK_ERROR(acme.put(endpoint_path(id), json::object{{"url", "http://127.0.0.1/"}}), 422,
              "invalid_parameter", param("url"));
  CHECK_ERROR(acme.put(endpoint_path(id), json::object{{"status", "paused"}}), 422,
              "invalid_parameter", param("status"));
  CHECK_ERROR(acme.put(endpoint_path(id), json::object{{"events", names({"order"})}}), 422,
              "invalid_parameter", param("events"));
  CHECK_ERROR(acme.put(endpoint_path(id), json::object{{"secret", "x"}}), 422,
              "unknown_parameter", param("secret"));
  auto unchanged = get_object(acme, endpoint_path(id));
  CHECK(string_field(unchanged, "url") == url);
  CHECK(string_field(unchanged, "status") == "enabled");
  CHECK(unchanged.at("events").as_array() == names({"user.deleted"}));
  REQUIRE_STATUS(acme.remove(endpoint_path(id)), 200);
}

TEST_CASE("another tenant's webhook endpoint does not exist for it", "[webhooks]") {
  auto& server = shared_server();
  auto created = server.acme().post(
    "/v1/webhook_endpoints",
    json::object{{"url", "https://93.184.216.34/"}, {"events", names({"user.deleted"})}});
  REQUIRE_STATUS(created, 201);
  auto id = id_of(json_object(created));
  auto& globex = server.globex();
  CHECK_ERROR(globex.get(endpoint_path(id)), 404, "not_found", any_param);
  CHECK_ERROR(globex.put(endpoint_path(id), json::object{{"status", "disabled"}}), 404,
              "not_found", any_param);
  CHECK_ERROR(globex.remove(endpoint_path(id)), 404, "not_found", any_param);
  CHECK_ERROR(globex.get(deliveries_path(id)), 404, "not_found", any_param);
  CHECK_ERROR(globex.post(deliveries_path(id) + "/whd_none/retry", json::object{}), 404,
              "not_found", any_param);
  CHECK_ERROR(server.acme_upper().get(endpoint_path(id)), 404, "not_found", any_param);
  for (const auto& endpoint : list_all(globex, "/v1/webhook_endpoints")) {
    CHECK(id_of(endpoint) != id);
  }
  CHECK(string_field(get_object(server.acme(), endpoint_path(id)), "status") == "enabled");
  REQUIRE_STATUS(server.acme().remove(endpoint_path(id)), 200);
}

TEST_CASE("events arrive signed, filtered and in seq order, from creation on", "[webhooks]") {
  test_server server{allow_private};
  auto& acme = server.acme();
  auto source = funded_account(acme, 100000);
  auto target = new_account(acme);
  move_money(acme, source, target, 1); // before the endpoint: never delivered
  auto created_after = last_seq(acme);
  webhook_receiver receiver;
  auto endpoint = create_endpoint(acme, receiver, names({"transfer.settled", "account.*"}));
  funded_account(server.globex(), 500); // another tenant's events: never delivered
  for (int i = 0; i < 20; ++i) {
    move_money(acme, i % 2 == 0 ? source : target, i % 2 == 0 ? target : source, 10);
  }
  create_user(acme); // user.created: filtered out
  auto passes = [](const std::string& name) {
    return name == "transfer.settled" || name.rfind("account.", 0) == 0;
  };
  auto expected = expected_seqs(acme, created_after, passes);
  REQUIRE(expected.size() >= 40);
  auto received = receiver.wait_for(
    [&](const auto& now) { return has_at_least(now, expected.size()); });
  CHECK(seqs_of(received) == expected);
  for (const auto& webhook : received) {
    CHECK(webhook.signature_valid);
    CHECK(webhook.header_seq == webhook.seq);
    CHECK(webhook.target == "/hooks");
    CHECK(string_field(webhook.body, "type") == "event");
    CHECK(passes(webhook.event));
  }
  CHECK(receiver.connections_accepted() <= 2); // kept alive

  auto deliveries = deliveries_when(acme, id_of(endpoint), [&](const auto& now) {
    return all_succeeded(now, expected.size());
  });
  REQUIRE(deliveries.size() == expected.size());
  for (std::size_t i = 0; i < deliveries.size(); ++i) {
    const auto& delivery = deliveries[i];
    CHECK(keys_of(delivery) == delivery_keys);
    CHECK(integer_field(delivery, "event_seq") == expected[expected.size() - 1 - i]);
    CHECK(string_field(delivery, "status") == "succeeded");
    CHECK(integer_field(delivery, "attempts") == 1);
    CHECK(integer_field(delivery, "last_status_code") == 200);
    CHECK(is_null_field(delivery, "next_attempt_at"));
    CHECK(string_field(delivery, "endpoint_id") == id_of(endpoint));
  }

  // A manual retry sends the event again now and counts the attempt.
  auto retried = acme.post(deliveries_path(id_of(endpoint)) + "/" + id_of(deliveries.back())
                             + "/retry",
                           json::object{});
  REQUIRE_STATUS(retried, 200);
  auto again = json_object(retried);
  CHECK(integer_field(again, "attempts") == 2);
  CHECK(string_field(again, "status") == "succeeded");
  received = receiver.wait_for([&](const auto& now) { return has_at_least(now, expected.size() + 1); });
  REQUIRE(received.size() == expected.size() + 1);
  CHECK(received.back().seq == expected.front());
  CHECK(received.back().signature_valid);
}

TEST_CASE("a failing receiver gets the event again with backoff until it answers 2xx",
          "[webhooks]") {
  test_server server{allow_private};
  auto& acme = server.acme();
  auto source = funded_account(acme, 1000);
  auto target = new_account(acme);
  webhook_receiver receiver{[](std::size_t number) { return number < 3 ? 500u : 200u; }};
  auto endpoint = create_endpoint(acme, receiver, names({"transfer.settled"}));
  move_money(acme, source, target, 5);
  move_money(acme, source, target, 7); // waits behind the first: order per endpoint

  auto first = receiver.wait_for([](const auto& now) { return has_at_least(now, 1); });
  REQUIRE(first.size() >= 1);
  auto waiting = deliveries_when(acme, id_of(endpoint),
                                 [](const auto& now) { return now.size() == 1; });
  REQUIRE(waiting.size() == 1);
  CHECK(string_field(waiting.front(), "status") == "pending");
  CHECK(integer_field(waiting.front(), "last_status_code") == 500);
  CHECK(!is_null_field(waiting.front(), "next_attempt_at"));

  auto received = receiver.wait_for([](const auto& now) { return has_at_least(now, 5); }, 90s);
  REQUIRE(received.size() == 5);
  for (int i = 0; i < 4; ++i) {
    CHECK(received[static_cast<std::size_t>(i)].seq == received[0].seq);
  }
  CHECK(received[4].seq > received[0].seq);
  // The schedule: about 1 s, 5 s and 30 s between the attempts (never sooner).
  auto gap = [&](std::size_t later) { return received[later].at - received[later - 1].at; };
  CHECK(gap(1) >= 900ms);
  CHECK(gap(2) >= 4500ms);
  CHECK(gap(3) >= 29s);
  auto deliveries = deliveries_when(acme, id_of(endpoint),
                                    [](const auto& now) { return all_succeeded(now, 2); });
  REQUIRE(deliveries.size() == 2);
  const auto& retried = deliveries.back();
  CHECK(string_field(retried, "status") == "succeeded");
  CHECK(integer_field(retried, "attempts") == 4);
  CHECK(integer_field(retried, "last_status_code") == 200);
  CHECK(is_null_field(retried, "next_attempt_at"));
  CHECK(integer_field(deliveries.front(), "attempts") == 1);
}

TEST_CASE("a disabled endpoint receives nothing, and enabled again only what follows",
          "[webhooks]") {
  test_server server{allow_private};
  auto& acme = server.acme();
  auto source = funded_account(acme, 1000);
  auto target = new_account(acme);
  webhook_receiver receiver;
  auto endpoint = create_endpoint(acme, receiver, names({"transfer.settled"}));
  auto path = endpoint_path(id_of(endpoint));
  move_money(acme, source, target, 1);
  REQUIRE(receiver.wait_for([](const auto& now) { return has_at_least(now, 1); }).size() == 1);

  auto disabled = acme.put(path, json::object{{"status", "disabled"}});
  REQUIRE_STATUS(disabled, 200);
  CHECK(string_field(json_object(disabled), "status") == "disabled");
  move_money(acme, source, target, 2); // committed while disabled: never delivered
  auto while_disabled = last_seq(acme);
  auto retry = acme.post(deliveries_path(id_of(endpoint)) + "/whd_none/retry", json::object{});
  CHECK_ERROR(retry, 409, "invalid_state", no_param);

  REQUIRE_STATUS(acme.put(path, json::object{{"status", "enabled"}}), 200);
  move_money(acme, source, target, 3);
  auto received = receiver.wait_for([](const auto& now) { return has_at_least(now, 2); });
  REQUIRE(received.size() == 2);
  CHECK(received[1].seq > while_disabled);
  CHECK(received[1].body.at("object").as_object().at("amount").as_int64() == 3);
  CHECK(deliveries_when(acme, id_of(endpoint), [](const auto& now) {
          return all_succeeded(now, 2);
        }).size() == 2);
}

TEST_CASE("an attempt in flight when its endpoint is disabled is still recorded",
          "[webhooks]") {
  test_server server{allow_private};
  auto& acme = server.acme();
  auto source = funded_account(acme, 1000);
  auto target = new_account(acme);
  // The first answer comes a second late, after the endpoint is disabled.
  webhook_receiver receiver{[](std::size_t number) {
    if (number == 0) {
      std::this_thread::sleep_for(1s);
    }
    return 200u;
  }};
  auto endpoint = create_endpoint(acme, receiver, names({"transfer.settled"}));
  auto path = endpoint_path(id_of(endpoint));
  move_money(acme, source, target, 1);
  REQUIRE(receiver.wait_for([](const auto& now) { return has_at_least(now, 1); }).size() == 1);
  REQUIRE_STATUS(acme.put(path, json::object{{"status", "disabled"}}), 200);

  auto deliveries = deliveries_when(acme, id_of(endpoint),
                                    [](const auto& now) { return all_succeeded(now, 1); });
  REQUIRE(deliveries.size() == 1);
  CHECK(string_field(deliveries.front(), "status") == "succeeded");
  CHECK(integer_field(deliveries.front(), "attempts") == 1);
  // Enabled again, it delivers what follows, and the late outcome held nothing back.
  REQUIRE_STATUS(acme.put(path, json::object{{"status", "enabled"}}), 200);
  move_money(acme, source, target, 2);
  auto received = receiver.wait_for([](const auto& now) { return has_at_least(now, 2); });
  REQUIRE(received.size() == 2);
  CHECK(received[1].body.at("object").as_object().at("amount").as_int64() == 2);
  CHECK(deliveries_when(acme, id_of(endpoint), [](const auto& now) {
          return all_succeeded(now, 2);
        }).size() == 2);
}

TEST_CASE("a tenant has at most 16 webhook endpoints", "[webhooks]") {
  test_server server{allow_private};
  auto& acme = server.acme();
  json::object request{{"url", "https://93.184.216.34/"}, {"events", names({"user.deleted"})}};
  std::vector<std::string> ids;
  for (int i = 0; i < 16; ++i) {
    auto created = acme.post("/v1/webhook_endpoints", request);
    REQUIRE_STATUS(created, 201);
    ids.push_back(id_of(json_object(created)));
  }
  CHECK_ERROR(acme.post("/v1/webhook_endpoints", request), 409, "invalid_state", no_param);
  // Racing creations of another tenant: still exactly 16.
  std::atomic<int> created{0};
  std::atomic<int> refused{0};
  std::vector<std::thread> racers;
  for (int i = 0; i < 24; ++i) {
    racers.emplace_back([&] {
      auto status = server.new_client(globex_key)->post("/v1/webhook_endpoints", request).status;
      ++(status == 201 ? created : refused);
    });
  }
  for (auto& racer : racers) {
    racer.join();
  }
  CHECK(created == 16);
  CHECK(refused == 8);
  CHECK(list_all(server.globex(), "/v1/webhook_endpoints").size() == 16);
  REQUIRE_STATUS(acme.remove(endpoint_path(ids.front())), 200);
  REQUIRE_STATUS(acme.post("/v1/webhook_endpoints", request), 201);
  auto page = get_list(acme, "/v1/webhook_endpoints?limit=10");
  CHECK(page.data.size() == 10);
  CHECK(page.has_more);
  // Newest first, every endpoint once across the pages.
  auto rest = get_list(acme, "/v1/webhook_endpoints?limit=10&starting_after="
                               + id_of(page.data.back()));
  CHECK(rest.data.size() == 6);
  CHECK_FALSE(rest.has_more);
  auto listed = ids_of(page.data);
  for (const auto& id : ids_of(rest.data)) {
    listed.push_back(id);
  }
  auto sorted = listed;
  std::sort(sorted.begin(), sorted.end());
  CHECK(std::adjacent_find(sorted.begin(), sorted.end()) == sorted.end());
  CHECK(listed.size() == 16);
  CHECK(std::find(listed.begin(), listed.end(), ids.front()) == listed.end());
  CHECK(listed.back() == ids[1]); // the oldest still there
}

namespace {

// What is wrong with `received` as at-least-once, ordered delivery of `expected`: each
// request either repeats a seq already received (a resend from the stored cursor after a
// crash) or brings exactly the next expected one, none skipped, and all arrive.
std::vector<std::string> delivery_problems(const std::vector<received_webhook>& received,
                                           const std::vector<std::int64_t>& expected) {
  std::vector<std::string> problems;
  std::size_t next = 0;
  for (const auto& webhook : received) {
    if (!webhook.signature_valid) {
      problems.push_back("a bad signature on seq " + std::to_string(webhook.seq));
    }
    if (next < expected.size() && webhook.seq == expected[next]) {
      ++next;
    } else if (std::find(expected.begin(), expected.begin() + static_cast<std::ptrdiff_t>(next),
                         webhook.seq) == expected.begin() + static_cast<std::ptrdiff_t>(next)) {
      problems.push_back("seq " + std::to_string(webhook.seq) + " arrived out of order, after "
                         + std::to_string(next) + " events");
    }
  }
  if (next != expected.size()) {
    problems.push_back(std::to_string(expected.size() - next) + " events never arrived");
  }
  return problems;
}

}  // namespace

TEST_CASE("after kill -9 in a stream of 1,000 transfers every event arrives, in order",
          "[webhooks][crash]") {
  test_server server{allow_private};
  auto plan = funded_load_plan(server.acme(), acme_key, 20, 1'000'000);
  plan.threads = 4;
  plan.transfers_per_thread = 250;
  auto before = last_seq(server.acme());
  webhook_receiver receiver;
  create_endpoint(server.acme(), receiver, names({"transfer.settled"}));
  std::optional<load_outcome> first_half;
  {
    transfer_load load(server.port(), plan);
    REQUIRE(load.wait_for_answers(500, 60s));
    server.kill();
    first_half = load.finish();
  }
  server.start();
  auto rest = plan;
  rest.seed = 2;
  rest.transfers_per_thread = (1000 - first_half->settled.size()) / plan.threads + 1;
  transfer_load load(server.port(), rest);
  auto second_half = load.finish();
  CHECK(first_half->settled.size() + second_half.settled.size() >= 1000);

  auto expected = expected_seqs(server.acme(), before,
                                [](const std::string& name) { return name == "transfer.settled"; });
  auto received = receiver.wait_for(
    [&](const auto& now) { return delivery_problems(now, expected).empty(); }, 60s);
  CHECK(delivery_problems(received, expected) == std::vector<std::string>{});
  auto duplicates = received.size() - expected.size();
  INFO("duplicates after the kill: " << duplicates);
  std::cout << "webhooks after kill -9: " << expected.size() << " events, " << received.size()
            << " requests, " << duplicates << " duplicates" << std::endl;
}

namespace {

// The nodes whose /metrics report the endpoint's delivery lag: those running its actor.
std::vector<std::size_t> nodes_delivering(test_cluster& cluster, const std::string& endpoint) {
  std::vector<std::size_t> nodes;
  for (auto index : cluster.serving_nodes()) {
    auto metrics = cluster.acme(index).get("/metrics");
    if (metrics.status == 200
        && metrics.body.find("endpoint=\"" + endpoint + "\"") != std::string::npos) {
      nodes.push_back(index);
    }
  }
  return nodes;
}

std::vector<std::size_t> wait_for_one_node_delivering(test_cluster& cluster,
                                                      const std::string& endpoint) {
  auto deadline = std::chrono::steady_clock::now() + 60s;
  auto nodes = nodes_delivering(cluster, endpoint);
  while (nodes.size() != 1 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(200ms);
    nodes = nodes_delivering(cluster, endpoint);
  }
  return nodes;
}

}  // namespace

TEST_CASE("in a cluster the node delivering an endpoint is killed and another resumes",
          "[.][cluster][webhooks]") {
  test_cluster cluster(3);
  auto& first = cluster.acme(0);
  auto source = funded_account(first, 100000);
  auto target = new_account(first);
  auto before = last_seq(first);
  webhook_receiver receiver;
  auto endpoint = id_of(create_endpoint(first, receiver, names({"transfer.settled"})));
  for (int i = 0; i < 20; ++i) {
    move_money(first, source, target, 1);
  }
  auto owners = wait_for_one_node_delivering(cluster, endpoint);
  REQUIRE(owners.size() == 1);
  auto victim = owners.front();
  INFO("delivering on " << cluster.node_id(victim));
  receiver.wait_for([](const auto& now) { return has_at_least(now, 20); });

  cluster.kill(victim);
  cluster.wait_until_settled();
  auto survivor = cluster.serving_nodes().front();
  auto& client = cluster.acme(survivor);
  for (int i = 0; i < 20; ++i) {
    move_money(client, source, target, 1);
  }
  auto expected = expected_seqs(client, before,
                                [](const std::string& name) { return name == "transfer.settled"; });
  REQUIRE(expected.size() == 40);
  auto received = receiver.wait_for(
    [&](const auto& now) { return delivery_problems(now, expected).empty(); }, 60s);
  CHECK(delivery_problems(received, expected) == std::vector<std::string>{});
  auto now_delivering = wait_for_one_node_delivering(cluster, endpoint);
  REQUIRE(now_delivering.size() == 1);
  CHECK(now_delivering.front() != victim);
}

TEST_CASE("webhook routes answer 401 without a key and create nothing", "[webhooks]") {
  auto& server = shared_server();
  auto& stranger = server.anonymous();
  json::object body{{"url", "https://93.184.216.34/"}, {"events", names({"*"})}};
  auto before = list_all(server.acme(), "/v1/webhook_endpoints").size();
  CHECK_ERROR(stranger.post("/v1/webhook_endpoints", body), 401, "unauthenticated", any_param);
  CHECK_ERROR(stranger.get("/v1/webhook_endpoints"), 401, "unauthenticated", any_param);
  CHECK_ERROR(stranger.get(endpoint_path("whe_x")), 401, "unauthenticated", any_param);
  CHECK_ERROR(stranger.put(endpoint_path("whe_x"), json::object{{"status", "disabled"}}), 401,
              "unauthenticated", any_param);
  CHECK_ERROR(stranger.remove(endpoint_path("whe_x")), 401, "unauthenticated", any_param);
  CHECK_ERROR(stranger.get(deliveries_path("whe_x")), 401, "unauthenticated", any_param);
  CHECK_ERROR(stranger.post(deliveries_path("whe_x") + "/whd_y/retry", json::object{}), 401,
              "unauthenticated", any_param);
  CHECK(list_all(server.acme(), "/v1/webhook_endpoints").size() == before);
}
