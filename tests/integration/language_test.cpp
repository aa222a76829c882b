// Error messages in the request's language (Accept-Language): Chinese for any zh range,
// English otherwise; codes, types and params never change, and an idempotent replay is
// in the language of the request that asks for it.
#include "tests/integration/harness/testing.hpp"
#include "tests/integration/harness/websocket_client.hpp"

using namespace settle::integration;
using namespace std::chrono_literals;
namespace json = boost::json;

namespace {

const header_list chinese{{"Accept-Language", "zh-CN,zh;q=0.9,en;q=0.8"}};

json::object error_of(const http_response& response) {
  return json_object(response).at("error").as_object();
}

// The catalogue's sentence, then the parameter if the failure names one.
bool is_insufficient_funds_in_chinese(const std::string& message) {
  return message.rfind("账户可用余额不足。", 0) == 0;
}

}  // namespace

TEST_CASE("an error is in Chinese when Accept-Language asks for it, its code unchanged", "[language]") {
  auto& client = shared_server().acme();
  const auto from = funded_account(client, 100);
  const auto to = new_account(client);
  const auto body = json::serialize(transfer_request(from, to, 500));

  const auto in_chinese = client.send("POST", "/v1/transfers", body,
                                      {{"Content-Type", "application/json"}, chinese[0]});
  CHECK_ERROR(in_chinese, 402, "insufficient_funds", any_param);
  CHECK(in_chinese.header("Content-Language") == "zh");
  CHECK(is_insufficient_funds_in_chinese(string_field(error_of(in_chinese), "message")));

  const auto in_english = post_transfer(client, from, to, 500);
  CHECK_ERROR(in_english, 402, "insufficient_funds", any_param);
  CHECK(in_english.header("Content-Language") == "en");
  CHECK(string_field(error_of(in_english), "message").find("资") == std::string::npos);
  CHECK(balance_of(client, from) == 100);
}

TEST_CASE("errors of the ingress itself and parameter errors are in Chinese too", "[language]") {
  auto& client = shared_server().acme();
  const auto unknown = client.send("GET", "/v1/nothing-here", "", chinese);
  CHECK_ERROR(unknown, 404, "route_not_found", no_param);
  CHECK(string_field(error_of(unknown), "message") == "路径不存在。");

  const auto invalid = client.send("POST", "/v1/users", R"({"name": 5, "email": "a@example.com"})",
                                   {{"Content-Type", "application/json"}, chinese[0]});
  CHECK_ERROR(invalid, 422, "invalid_parameter", param("name"));
  CHECK(string_field(error_of(invalid), "message") == "参数的值无效。（参数：name）");
}

TEST_CASE("an idempotent replay is in the language of the request that asks for it", "[language]") {
  auto& client = shared_server().acme();
  const auto from = funded_account(client, 10);
  const auto to = new_account(client);
  const auto body = json::serialize(transfer_request(from, to, 50));
  const header_list json_body{{"Content-Type", "application/json"}, {"Idempotency-Key", unique_email()}};
  auto with_chinese = json_body;
  with_chinese.push_back(chinese[0]);

  const auto first = client.send("POST", "/v1/transfers", body, json_body);
  const auto replay = client.send("POST", "/v1/transfers", body, with_chinese);
  CHECK_ERROR(first, 402, "insufficient_funds", any_param);
  CHECK_ERROR(replay, 402, "insufficient_funds", any_param);
  CHECK(replay.header("Idempotent-Replayed") == "true");
  CHECK(is_insufficient_funds_in_chinese(string_field(error_of(replay), "message")));
}

TEST_CASE("a batch's failed results are in Chinese, its transfers unchanged", "[language]") {
  auto& client = shared_server().acme();
  const auto from = funded_account(client, 100);
  const auto to = new_account(client);
  const json::object batch{{"atomic", false},
                           {"transfers", json::array{transfer_request(from, to, 40), transfer_request(from, to, 500)}}};
  const auto answer = client.send("POST", "/v1/transfers/batch", json::serialize(batch),
                                  {{"Content-Type", "application/json"}, chinese[0]});
  REQUIRE_STATUS(answer, 200);
  const auto results = json_object(answer).at("results").as_array();
  REQUIRE(results.size() == 2);
  CHECK(results[0].as_object().at("status") == "settled");
  CHECK(results[1].at("error").at("code") == "insufficient_funds");
  CHECK(is_insufficient_funds_in_chinese(std::string{results[1].at("error").at("message").as_string()}));
  CHECK(balance_of(client, from) == 60);
}

TEST_CASE("the catalogues are served to the dashboard", "[language]") {
  auto& client = shared_server().acme();
  for (const char* tag : {"en", "zh"}) {
    const auto catalogue = client.get(std::string{"/i18n/"} + tag + ".json");
    REQUIRE_STATUS(catalogue, 200);
    CHECK(string_field(json_object(catalogue), "language") == tag);
    CHECK(json_object(catalogue).at("errors").as_object().contains("insufficient_funds"));
  }
  CHECK_STATUS(client.get("/i18n/fr.json"), 404);
}

TEST_CASE("the stream's error frames carry a code, in the upgrade's language", "[language]") {
  auto& server = shared_server();
  websocket_options options;
  options.headers = {{"Authorization", "Bearer " + acme_key}, chinese[0]};
  websocket_client in_chinese(server.port(), options);
  in_chinese.send_text("{not json");
  auto frame = in_chinese.read_json(5s);
  CHECK(frame.at("type") == "error");
  CHECK(frame.at("code") == "malformed_json");
  CHECK_FALSE(frame.contains("param"));
  CHECK(frame.at("message") == "请求体不是有效的 JSON。");
  in_chinese.send_text(R"({"type":"subscribe","topics":["*"],"since":-1})");
  frame = in_chinese.read_json(5s);
  CHECK(frame.at("code") == "invalid_parameter");
  CHECK(frame.at("param") == "since");
  CHECK(frame.at("message") == "参数的值无效。（参数：since）");
  in_chinese.send_text(R"({"type":"auth","token":"whatever"})");
  frame = in_chinese.read_json(5s);
  CHECK(frame.at("code") == "invalid_state");
  CHECK(frame.at("message") == "对象当前的状态不允许此操作。");

  // English keeps the detailed sentence; errors never close the stream.
  websocket_client in_english(server.port(), acme_key);
  in_english.send_text(R"({"type":"unsubscribe"})");
  frame = in_english.read_json(5s);
  CHECK(frame.at("code") == "invalid_parameter");
  CHECK(frame.at("param") == "type");
  CHECK(frame.at("message") == R"(the type is "auth" or "subscribe")");
  in_english.send_json(json::object{{"type", "subscribe"}, {"topics", json::array{"*"}}});
  CHECK(in_english.read_json(5s).at("type") == "subscribed");
}
