// Tests how endpoints' filters and statuses are stored: filters joined by commas and split
// back unchanged, and every status read back from its name, nothing else.
#include "domain/webhook_endpoint.hpp"

#include <catch2/catch.hpp>

using namespace settle;

TEST_CASE("an endpoint's filters are stored joined and read back unchanged", "[webhooks]") {
  std::vector<std::string> filters{"transfer.settled", "order.*", "*"};
  CHECK(join_filters(filters) == "transfer.settled,order.*,*");
  CHECK(split_filters(join_filters(filters)) == filters);
  CHECK(split_filters("account.updated") == std::vector<std::string>{"account.updated"});
  CHECK(split_filters("").empty());
  CHECK(join_filters({}).empty());
}

TEST_CASE("endpoint and delivery statuses read back from their names only", "[webhooks]") {
  for (auto status : {webhook_status::enabled, webhook_status::disabled}) {
    CHECK(parse_webhook_status(to_string(status)) == status);
  }
  for (auto status : {delivery_status::pending, delivery_status::succeeded,
                      delivery_status::failed}) {
    CHECK(parse_delivery_status(to_string(status)) == status);
  }
  CHECK_FALSE(parse_webhook_status("Enabled"));
  CHECK_FALSE(parse_webhook_status(""));
  CHECK_FALSE(parse_delivery_status("retrying"));
}
