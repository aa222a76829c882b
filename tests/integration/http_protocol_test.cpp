// HTTP itself: HTTP/1.0 requests are answered and the connection closed; HTTP/1.1 keeps
// one connection alive for many requests, until the client asks to close it.
#include "tests/integration/harness/testing.hpp"

using namespace settle::integration;

TEST_CASE("an HTTP/1.0 request is answered and the connection closed", "[http]") {
  http_client connection("127.0.0.1", shared_server().port());
  http_request request;
  request.target = "/healthz";
  request.version = 10;
  const auto response = connection.send(request);
  REQUIRE_STATUS(response, 200);
  CHECK(json_object(response) == boost::json::object{{"status", "ok"}});
  CHECK(connection.server_closes_connection(std::chrono::seconds(5)));
}

TEST_CASE("an authenticated HTTP/1.0 request is answered too", "[http]") {
  auto& server = shared_server();
  const auto user_id = string_field(create_user(server.acme()), "id");
  http_client connection("127.0.0.1", server.port());
  http_request request;
  request.target = "/v1/users/" + user_id;
  request.version = 10;
  request.headers = {{"Authorization", "Bearer " + acme_key}};
  const auto response = connection.send(request);
  REQUIRE_STATUS(response, 200);
  CHECK(string_field(json_object(response), "id") == user_id);
  CHECK(connection.server_closes_connection(std::chrono::seconds(5)));
}

TEST_CASE("one HTTP/1.1 connection serves many requests", "[http]") {
  auto& server = shared_server();
  api_client client(server.port(), acme_key);
  const auto user_id = string_field(create_user(client), "id");
  for (int count = 0; count < 100; ++count) {
    REQUIRE_STATUS(client.get("/v1/users/" + user_id), 200);
    REQUIRE_STATUS(client.get("/healthz"), 200);
  }
  // Errors keep the connection too.
  CHECK_ERROR(client.get("/v1/users/usr_doesnotexist"), 404, "not_found", any_param);
  CHECK_ERROR(client.post_text("/v1/users", "not json"), 400, "malformed_json", no_param);
  CHECK_STATUS(client.get("/healthz"), 200);
  CHECK(client.connection().connections_opened() == 1);
}

TEST_CASE("Connection: close is honoured", "[http]") {
  http_client connection("127.0.0.1", shared_server().port());
  http_request request;
  request.target = "/healthz";
  request.headers = {{"Connection", "close"}};
  const auto response = connection.send(request);
  REQUIRE_STATUS(response, 200);
  CHECK_FALSE(response.keep_alive);
  CHECK(connection.server_closes_connection(std::chrono::seconds(5)));
}
