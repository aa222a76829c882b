// Routing errors: an unknown path is 404 route_not_found, a known path with the wrong
// method is 405 method_not_allowed with the Allow header, both in the common error shape.
#include "tests/integration/harness/testing.hpp"

#include <algorithm>
#include <cctype>
#include <set>
#include <sstream>

using namespace settle::integration;

namespace {

// The methods of an Allow header, upper-cased, without spaces.
std::set<std::string> allowed_methods(const http_response& response) {
  std::set<std::string> methods;
  std::stringstream list(response.header("Allow").value_or(""));
  for (std::string method; std::getline(list, method, ',');) {
    const auto is_space = [](unsigned char character) { return std::isspace(character) != 0; };
    method.erase(std::remove_if(method.begin(), method.end(), is_space), method.end());
    for (auto& character : method) {
      character = static_cast<char>(std::toupper(static_cast<unsigned char>(character)));
    }
    if (!method.empty()) {
      methods.insert(method);
    }
  }
  return methods;
}

bool allows(const std::set<std::string>& methods, std::initializer_list<const char*> expected) {
  return std::all_of(expected.begin(), expected.end(), [&methods](const char* method) { return methods.count(method); });
}

}  // namespace

TEST_CASE("an unknown route is 404 route_not_found", "[errors]") {
  auto& client = shared_server().acme();
  CHECK_ERROR(client.get("/v1/nothing-here"), 404, "route_not_found", no_param);
  CHECK_ERROR(client.get("/v2/users"), 404, "route_not_found", no_param);
  CHECK_ERROR(client.get("/v1/users/usr_x/accounts/more"), 404, "route_not_found", no_param);
  CHECK_ERROR(client.post_text("/v1/teleport", "{}"), 404, "route_not_found", no_param);
}

TEST_CASE("a known route with the wrong method is 405 with an Allow header", "[errors]") {
  auto& client = shared_server().acme();
  const auto user_id = string_field(create_user(client), "id");

  const auto on_collection = client.send("PATCH", "/v1/users", "", {});
  CHECK_ERROR(on_collection, 405, "method_not_allowed", no_param);
  CHECK(allows(allowed_methods(on_collection), {"GET", "POST"}));
  CHECK_FALSE(allowed_methods(on_collection).count("PATCH"));

  const auto on_user = client.send("POST", "/v1/users/" + user_id, "{}", {{"Content-Type", "application/json"}});
  CHECK_ERROR(on_user, 405, "method_not_allowed", no_param);
  CHECK(allows(allowed_methods(on_user), {"GET", "PUT", "DELETE"}));

  const auto on_deposits = client.get("/v1/accounts/acc_doesnotexist/deposits");
  CHECK_ERROR(on_deposits, 405, "method_not_allowed", no_param);
  CHECK(allows(allowed_methods(on_deposits), {"POST"}));

  // Not a lookup of a transfer whose id is "batch".
  const auto on_batch = client.get("/v1/transfers/batch");
  CHECK_ERROR(on_batch, 405, "method_not_allowed", no_param);
  CHECK(allows(allowed_methods(on_batch), {"POST"}));

  const auto on_audit = shared_server().admin().send("DELETE", "/v1/audit", "", {});
  CHECK_ERROR(on_audit, 405, "method_not_allowed", no_param);
  CHECK(allows(allowed_methods(on_audit), {"GET"}));
}

TEST_CASE("an escaped slash in a path is part of its segment, never a separator", "[errors]") {
  auto& client = shared_server().acme();
  const auto account_id = new_account(client);
  CHECK_STATUS(client.get("/v1/accounts/" + account_id + "/entries"), 200);
  // Before, the path was decoded before it was split, and this listed the entries.
  CHECK_ERROR(client.get("/v1/accounts/" + account_id + "%2Fentries"), 404, "not_found", no_param);
  CHECK_ERROR(client.get("/v1/accounts%2F" + account_id), 404, "route_not_found", no_param);
  // An escaped letter is still the letter.
  CHECK_STATUS(client.get("/v1/%61ccounts/" + account_id), 200);
}
