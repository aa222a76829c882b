// Users: their shape, reading, replacing fields, deleting, the newest-first list with
// pagination, and the validation and JSON strictness rules (shared by every endpoint,
// tested here once on POST /v1/users).
#include "tests/integration/harness/testing.hpp"

using namespace settle::integration;
namespace json = boost::json;

namespace {

const auto user_keys = key_set({"id", "object", "name", "email", "created_at"});

json::object user_body(const std::string& name, const std::string& email) {
  return {{"name", name}, {"email", email}};
}

std::string repeated(const std::string& piece, std::size_t times) {
  std::string text;
  for (std::size_t count = 0; count < times; ++count) {
    text += piece;
  }
  return text;
}

// An email of exactly `length` characters with one @.
std::string email_of_length(std::size_t length) {
  const std::string domain = "@example.com";
  return std::string(length - domain.size(), 'a') + domain;
}

std::string user_path(const std::string& id) { return "/v1/users/" + id; }

}  // namespace

TEST_CASE("creating a user answers 201 with the user", "[users]") {
  auto& client = shared_server().acme();
  const auto email = unique_email();
  const auto response = client.post("/v1/users", user_body("Ada Lovelace", email));
  REQUIRE_STATUS(response, 201);
  CHECK(response.header("Content-Type").value_or("").rfind("application/json", 0) == 0);
  const auto user = json_object(response);
  CHECK(keys_of(user) == user_keys);
  CHECK(string_field(user, "id").rfind("usr_", 0) == 0);
  CHECK(string_field(user, "id").size() <= 64);
  CHECK(string_field(user, "object") == "user");
  CHECK(string_field(user, "name") == "Ada Lovelace");
  CHECK(string_field(user, "email") == email);
  CHECK(is_utc_timestamp_with_milliseconds(string_field(user, "created_at")));
  CHECK(is_recent_timestamp(string_field(user, "created_at")));
}

TEST_CASE("a user reads back as it was created", "[users]") {
  auto& client = shared_server().acme();
  const auto user = create_user(client, "Grace Hopper");
  const auto response = client.get(user_path(string_field(user, "id")));
  REQUIRE_STATUS(response, 200);
  CHECK(json_object(response) == user);
  CHECK_ERROR(client.get("/v1/users/usr_doesnotexist"), 404, "not_found", any_param);
}

TEST_CASE("PUT replaces only the fields it names", "[users]") {
  auto& client = shared_server().acme();
  const auto user = create_user(client, "Ada Lovelace");
  const auto path = user_path(string_field(user, "id"));

  const auto renamed = client.put(path, json::object{{"name", "Ada King"}});
  REQUIRE_STATUS(renamed, 200);
  auto expected = user;
  expected["name"] = "Ada King";
  CHECK(json_object(renamed) == expected);

  const auto new_email = unique_email();
  const auto moved = client.put(path, json::object{{"email", new_email}});
  REQUIRE_STATUS(moved, 200);
  expected["email"] = new_email;
  CHECK(json_object(moved) == expected);
  CHECK(get_object(client, path) == expected);

  CHECK_ERROR(client.put("/v1/users/usr_doesnotexist", json::object{{"name", "Nobody"}}), 404, "not_found",
              any_param);
}

TEST_CASE("a refused PUT changes nothing", "[users][validation]") {
  auto& client = shared_server().acme();
  const auto user = create_user(client);
  const auto path = user_path(string_field(user, "id"));
  CHECK_ERROR(client.put(path, json::object{{"email", "no-at-sign"}}), 422, "invalid_parameter", param("email"));
  CHECK_ERROR(client.put(path, json::object{{"name", ""}}), 422, "invalid_parameter", param("name"));
  CHECK_ERROR(client.put(path, json::object{{"name", "Ada"}, {"nickname", "A"}}), 422, "unknown_parameter",
              param("nickname"));
  CHECK_ERROR(client.put(path, json::object{{"id", "usr_other"}}), 422, "unknown_parameter", param("id"));
  CHECK(get_object(client, path) == user);
}

TEST_CASE("deleting a user answers the deletion and the user is gone", "[users]") {
  auto& client = shared_server().acme();
  const auto id = string_field(create_user(client), "id");
  const auto response = client.remove(user_path(id));
  REQUIRE_STATUS(response, 200);
  CHECK(json_object(response) == json::object{{"id", id}, {"object", "user"}, {"deleted", true}});
  CHECK_ERROR(client.get(user_path(id)), 404, "not_found", any_param);
  CHECK_ERROR(client.remove(user_path(id)), 404, "not_found", any_param);
  CHECK_ERROR(client.post("/v1/accounts", json::object{{"user_id", id}, {"currency", "USD"}}), 404, "not_found",
              param("user_id"));
}

TEST_CASE("a user with an open account cannot be deleted", "[users][accounts]") {
  auto& client = shared_server().acme();
  const auto user_id = string_field(create_user(client), "id");
  const auto account_id = string_field(create_account(client, user_id), "id");

  CHECK_ERROR(client.remove(user_path(user_id)), 409, "user_has_open_accounts", any_param);
  CHECK_STATUS(client.get(user_path(user_id)), 200);

  // A closed account no longer holds the user.
  REQUIRE_STATUS(client.remove("/v1/accounts/" + account_id), 200);
  CHECK_STATUS(client.remove(user_path(user_id)), 200);
}

TEST_CASE("user names are 1 to 200 code points", "[users][validation]") {
  auto& client = shared_server().acme();
  const auto post_name = [&client](const auto& name) {
    return client.post("/v1/users", json::object{{"name", name}, {"email", unique_email()}});
  };
  CHECK_ERROR(post_name(""), 422, "invalid_parameter", param("name"));
  CHECK_ERROR(post_name(std::string(201, 'a')), 422, "invalid_parameter", param("name"));
  CHECK_ERROR(post_name(repeated("\xC3\xA9", 201)), 422, "invalid_parameter", param("name"));
  CHECK_ERROR(post_name(42), 422, "invalid_parameter", param("name"));
  CHECK_STATUS(post_name("A"), 201);
  CHECK_STATUS(post_name(std::string(200, 'a')), 201);

  // 200 code points of two bytes, and of four bytes (two UTF-16 units each): still 200.
  for (const std::string piece : {"\xC3\xA9", "\xF0\x9F\x98\x80"}) {
    const auto name = repeated(piece, 200);
    const auto response = post_name(name);
    REQUIRE_STATUS(response, 201);
    CHECK(string_field(json_object(response), "name") == name);
  }
}

TEST_CASE("emails need exactly one @ and at most 254 characters", "[users][validation]") {
  auto& client = shared_server().acme();
  const auto post_email = [&client](const auto& email) {
    return client.post("/v1/users", json::object{{"name", "Ada"}, {"email", email}});
  };
  for (const std::string email : {"", "ada.example.com", "ada@@example.com", "ada@home@example.com"}) {
    INFO("email: " << email);
    CHECK_ERROR(post_email(email), 422, "invalid_parameter", param("email"));
  }
  CHECK_ERROR(post_email(email_of_length(255)), 422, "invalid_parameter", param("email"));
  CHECK_ERROR(post_email(17), 422, "invalid_parameter", param("email"));
  const auto longest = email_of_length(254);
  const auto response = post_email(longest);
  REQUIRE_STATUS(response, 201);
  CHECK(string_field(json_object(response), "email") == longest);
}

TEST_CASE("missing fields are 422 missing_parameter naming the field", "[users][validation]") {
  auto& client = shared_server().acme();
  CHECK_ERROR(client.post("/v1/users", json::object{{"email", unique_email()}}), 422, "missing_parameter",
              param("name"));
  CHECK_ERROR(client.post("/v1/users", json::object{{"name", "Ada"}}), 422, "missing_parameter", param("email"));
  CHECK_ERROR(client.post("/v1/users", json::object{}), 422, "missing_parameter", any_param);
}

TEST_CASE("fields the endpoint does not define are 422 unknown_parameter", "[users][validation]") {
  auto& client = shared_server().acme();
  const json::object body{{"name", "Ada"}, {"email", unique_email()}, {"age", 36}};
  CHECK_ERROR(client.post("/v1/users", body), 422, "unknown_parameter", param("age"));
}

TEST_CASE("a body that is not one JSON object is 400 malformed_json", "[users][json]") {
  auto& client = shared_server().acme();
  const auto email = unique_email();
  const std::vector<std::string> bodies = {
      "[]",
      "\"Ada\"",
      "42",
      "null",
      "",
      "{\"name\": \"Ada\"",
      "{\"name\": \"Ada\", \"email\": \"" + email + "\",}",
      "{\"name\": \"Ada\", \"name\": \"Grace\", \"email\": \"" + email + "\"}",
      "{\"name\": \"Ad\xFF\", \"email\": \"" + email + "\"}",
      "{\"name\": \"Ada\", \"email\": \"" + email + "\"} {}",
  };
  for (const auto& body : bodies) {
    INFO("body: " << body);
    CHECK_ERROR(client.post_text("/v1/users", body), 400, "malformed_json", no_param);
  }
}

TEST_CASE("JSON nested deeper than 32 levels is 400 malformed_json", "[users][json]") {
  auto& client = shared_server().acme();
  const auto body_with_name = [](const std::string& name_json) {
    return "{\"name\": " + name_json + ", \"email\": \"" + unique_email() + "\"}";
  };
  CHECK_ERROR(client.post_text("/v1/users", body_with_name(nested_arrays(40))), 400, "malformed_json", no_param);
  // Far deeper than a parser could recurse on safely (and still under 64 KiB): refused,
  // and the server lives on.
  const auto deepest = body_with_name(nested_arrays(30000));
  REQUIRE(deepest.size() < 64 * 1024);
  CHECK_ERROR(client.post_text("/v1/users", deepest), 400, "malformed_json", no_param);
  CHECK_STATUS(client.get("/healthz"), 200);
  // Well within the limit the JSON is read, and refused only because a name is a string.
  CHECK_ERROR(client.post_text("/v1/users", body_with_name(nested_arrays(20))), 422, "invalid_parameter",
              param("name"));
}

TEST_CASE("a JSON body must be declared as application/json or not at all", "[users][json]") {
  auto& client = shared_server().acme();
  const auto body = [] { return json::serialize(user_body("Ada", unique_email())); };
  const auto post_as = [&client](const std::string& text, header_list headers) {
    return client.send("POST", "/v1/users", text, std::move(headers));
  };
  CHECK_ERROR(post_as(body(), {{"Content-Type", "text/plain"}}), 415, "unsupported_media_type", any_param);
  CHECK_ERROR(post_as(body(), {{"Content-Type", "application/x-www-form-urlencoded"}}), 415,
              "unsupported_media_type", any_param);
  CHECK_STATUS(post_as(body(), {{"Content-Type", "application/json; charset=utf-8"}}), 201);
  CHECK_STATUS(post_as(body(), {}), 201);
}

TEST_CASE("the users list is newest first exactly and paginates", "[users][lists]") {
  // A server of its own: the list is the whole tenant's, and must hold only these users.
  test_server server;
  auto& client = server.acme();
  std::vector<std::string> newest_first;
  for (int count = 0; count < 25; ++count) {
    newest_first.insert(newest_first.begin(), string_field(create_user(client), "id"));
  }
  const auto slice = [&newest_first](std::size_t from, std::size_t to) {
    return std::vector<std::string>(newest_first.begin() + from, newest_first.begin() + to);
  };

  const auto first_page = get_list(client, "/v1/users");
  CHECK(ids_of(first_page.data) == slice(0, 20));
  CHECK(first_page.has_more);
  for (const auto& user : first_page.data) {
    CHECK(keys_of(user) == user_keys);
  }

  const auto everything = get_list(client, "/v1/users?limit=100");
  CHECK(ids_of(everything.data) == newest_first);
  CHECK_FALSE(everything.has_more);

  auto page = get_list(client, "/v1/users?limit=10");
  CHECK(ids_of(page.data) == slice(0, 10));
  CHECK(page.has_more);
  page = get_list(client, "/v1/users?limit=10&starting_after=" + newest_first[9]);
  CHECK(ids_of(page.data) == slice(10, 20));
  CHECK(page.has_more);
  page = get_list(client, "/v1/users?limit=10&starting_after=" + newest_first[19]);
  CHECK(ids_of(page.data) == slice(20, 25));
  CHECK_FALSE(page.has_more);
  page = get_list(client, "/v1/users?starting_after=" + newest_first[24]);
  CHECK(page.data.empty());
  CHECK_FALSE(page.has_more);

  // Another tenant's list does not show them.
  CHECK(get_list(server.globex(), "/v1/users").data.empty());

  REQUIRE_STATUS(client.remove(user_path(newest_first[0])), 200);
  CHECK(ids_of(get_list(client, "/v1/users?limit=1").data) == slice(1, 2));
}

TEST_CASE("list parameters out of range are 422 invalid_parameter", "[users][lists][validation]") {
  auto& client = shared_server().acme();
  create_user(client);
  for (const std::string limit : {"0", "101", "-1", "abc", "1.5"}) {
    INFO("limit=" << limit);
    CHECK_ERROR(client.get("/v1/users?limit=" + limit), 422, "invalid_parameter", param("limit"));
  }
  CHECK(get_list(client, "/v1/users?limit=100").data.size() <= 100);
  CHECK_ERROR(client.get("/v1/users?starting_after=usr_doesnotexist"), 422, "invalid_parameter",
              param("starting_after"));
}
