// From the server's JSON to the resource structs. Every reader checks the fields the
// contract promises and throws protocol_error, naming the field, when one is missing or
// of the wrong type: a wrong answer surfaces at the call, not as a zero later.
#pragma once

#include "client/resources.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <string_view>

namespace settle::client {

// The answer body as a JSON object; throws protocol_error when it is not one.
boost::json::object parse_object(std::string_view body);

user read_user(const boost::json::object& json);
account read_account(const boost::json::object& json);
entry read_entry(const boost::json::object& json);
transfer read_transfer(const boost::json::object& json);
order read_order(const boost::json::object& json);
event read_event(const boost::json::object& json);
batch_result read_batch(const boost::json::object& json);
// The "error" member of an error body or of a failed batch item.
error_details read_error_details(const boost::json::object& json);

// {"object": "list", "data": [...], "has_more"}: each item read by `read_item`.
template <class Resource>
page<Resource> read_page(const boost::json::object& json,
                         Resource (*read_item)(const boost::json::object&));

} // namespace settle::client
