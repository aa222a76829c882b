// Reading the event log, GET /v1/events, shared by the event and stream tests.
#pragma once

#include "tests/integration/harness/api_client.hpp"

#include <boost/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace settle::integration {

using event_list = std::vector<boost::json::object>;

std::int64_t seq_of(const boost::json::object& event);

std::string events_path(std::int64_t after, int limit);

// Every event the client sees after `after`, following `after=<last seq>` through pages of
// `limit`; a page that says has_more must not be empty.
event_list events_after(api_client& client, std::int64_t after, int limit = 100);

// The seq of the newest event the client sees, or 0.
std::int64_t last_seq(api_client& client);

std::string name_of(const boost::json::object& event);
std::string object_id_of(const boost::json::object& event);

// The events named `name` whose object has the id `id`, in order (other messages of a
// stream are passed over).
event_list matching(const event_list& events, const std::string& name, const std::string& id);

// What is wrong with an account's account.updated events among `events` (empty: nothing):
// there is one, the last is the account as GET shows it now, and the balances they carry
// follow the account's entries: each is the balance after one of them, in the entries'
// order, so events of groups that changed the account read in the order its balance
// changed.
std::vector<std::string> account_update_problems(api_client& client, const event_list& events,
                                                 const std::string& account_id);

} // namespace settle::integration
