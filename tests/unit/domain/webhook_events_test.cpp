// Tests a webhook endpoint's event filters: what is accepted (1 to 32 of `*`, an event
// name, `<object>.*`), what is refused, and which events pass.
#include "domain/webhook_events.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using settle::event_matches;
using settle::validate_event_filters;

namespace {

std::vector<std::string> numbered_filters(std::size_t count) {
  // Distinct valid filters: the event names, the prefixes, then `*`.
  std::vector<std::string> all{"*", "user.*", "account.*", "transfer.*", "order.*"};
  for (auto name : settle::event_names()) {
    all.emplace_back(name);
  }
  REQUIRE(count <= all.size());
  return {all.begin(), all.begin() + static_cast<std::ptrdiff_t>(count)};
}

} // namespace

TEST_CASE("filters are *, event names or <object>.*, 1 to 32, none twice", "[webhooks]") {
  CHECK_FALSE(validate_event_filters({"*"}));
  CHECK_FALSE(validate_event_filters({"transfer.settled", "order.*"}));
  CHECK_FALSE(validate_event_filters(numbered_filters(18)));
  for (const std::vector<std::string>& refused :
       std::vector<std::vector<std::string>>{{},
                                             {"transfer.created"},
                                             {"order"},
                                             {"order."},
                                             {".*"},
                                             {"payment.*"},
                                             {"order.**"},
                                             {"ORDER.settled"},
                                             {"*", "*"},
                                             {"order.*", "order.*"},
                                             {"transfer.settled", ""}}) {
    auto failure = validate_event_filters(refused);
    REQUIRE(failure);
    CHECK(failure->code == settle::settle_errc::invalid_parameter);
    CHECK(failure->param == "events");
  }
}

TEST_CASE("a list longer than 32 is refused for its length before its content", "[webhooks]") {
  // There are 18 distinct valid filters, so a longer list always repeats one: the
  // length is checked first and bounds the work and the message.
  auto at_limit = validate_event_filters(std::vector<std::string>(32, "*"));
  REQUIRE(at_limit);
  CHECK(at_limit->message.find("twice") != std::string::npos);
  auto beyond = validate_event_filters(std::vector<std::string>(33, "*"));
  REQUIRE(beyond);
  CHECK(beyond->message.find("1 to 32") != std::string::npos);
  CHECK(numbered_filters(18).size() == 18);
  CHECK_FALSE(validate_event_filters(numbered_filters(18)));
}

TEST_CASE("an event passes *, its own name, or its object's prefix", "[webhooks]") {
  CHECK(event_matches({"*"}, "order.refunded"));
  CHECK(event_matches({"order.*"}, "order.refunded"));
  CHECK(event_matches({"transfer.settled", "order.*"}, "transfer.settled"));
  CHECK_FALSE(event_matches({"order.*"}, "transfer.settled"));
  CHECK_FALSE(event_matches({"user.*"}, "account.created"));
  CHECK_FALSE(event_matches({"account.created"}, "account.updated"));
  CHECK_FALSE(event_matches({}, "user.created"));
  for (auto name : settle::event_names()) {
    INFO(name);
    CHECK(event_matches({"*"}, name));
    CHECK(event_matches({std::string{name}}, name));
    auto object = std::string{name.substr(0, name.find('.'))};
    CHECK(event_matches({object + ".*"}, name));
    CHECK(validate_event_filters({object + ".*"}) == std::nullopt);
  }
}
