// Event log reading for the tests.
#include "tests/integration/harness/event_helpers.hpp"

#include "tests/integration/harness/json_helpers.hpp"
#include "tests/integration/harness/ledger_helpers.hpp"

#include <algorithm>
#include <stdexcept>

namespace settle::integration {

std::int64_t seq_of(const boost::json::object& event) {
  return integer_field(event, "seq");
}

std::string events_path(std::int64_t after, int limit) {
  return "/v1/events?after=" + std::to_string(after) + "&limit=" + std::to_string(limit);
}

event_list events_after(api_client& client, std::int64_t after, int limit) {
  event_list everything;
  for (int pages = 0; pages < 10'000; ++pages) {
    const auto page = get_list(client, events_path(after, limit));
    everything.insert(everything.end(), page.data.begin(), page.data.end());
    if (!page.has_more) {
      return everything;
    }
    if (page.data.empty()) {
      throw std::runtime_error("GET " + events_path(after, limit) + ": has_more with an empty page");
    }
    after = seq_of(page.data.back());
  }
  throw std::runtime_error("GET /v1/events: more than 10000 pages");
}

std::int64_t last_seq(api_client& client) {
  const auto events = events_after(client, 0);
  return events.empty() ? 0 : seq_of(events.back());
}

std::string name_of(const boost::json::object& event) {
  return string_field(event, "event");
}

std::string object_id_of(const boost::json::object& event) {
  return id_of(object_field(event, "object"));
}

event_list matching(const event_list& events, const std::string& name, const std::string& id) {
  event_list found;
  for (const auto& event : events) {
    if (event.contains("event") && name_of(event) == name && object_id_of(event) == id) {
      found.push_back(event);
    }
  }
  return found;
}

std::vector<std::string> account_update_problems(api_client& client, const event_list& events,
                                                 const std::string& account_id) {
  const auto updates = matching(events, "account.updated", account_id);
  if (updates.empty()) {
    return {account_id + ": no account.updated"};
  }
  std::vector<std::string> problems;
  const auto path = "/v1/accounts/" + account_id;
  if (object_field(updates.back(), "object") != get_object(client, path)) {
    problems.push_back(account_id + ": the last account.updated is not the account now: " +
                       boost::json::serialize(updates.back()));
  }
  auto entries = list_all(client, path + "/entries");
  std::reverse(entries.begin(), entries.end()); // oldest first
  // A change of `held` alone repeats the balance, so an update may match the same entry
  // as the one before it.
  std::size_t entry = 0;
  for (const auto& update : updates) {
    const auto balance = integer_field(object_field(update, "object"), "balance");
    while (entry < entries.size() && integer_field(entries[entry], "balance_after") != balance) {
      ++entry;
    }
    if (entry == entries.size()) {
      problems.push_back(account_id + ": seq " + std::to_string(seq_of(update)) + " balance " +
                         std::to_string(balance) + " is not the balance after any later entry");
      break;
    }
  }
  return problems;
}

} // namespace settle::integration
