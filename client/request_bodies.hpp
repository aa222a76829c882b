// From the call parameters to the request bodies the contract defines. Optional fields
// that are empty are left out, so the server applies its defaults.
#pragma once

#include "client/resources.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace settle::client {

std::string user_body(const new_user& fields);
std::string user_changes_body(const user_changes& changes);
std::string account_body(const new_account& fields);
std::string amount_body(std::int64_t amount);
// "{}" without an amount: the actions accept an empty object.
std::string optional_amount_body(std::optional<std::int64_t> amount);
std::string transfer_body(const new_transfer& fields);
std::string batch_body(const std::vector<new_transfer>& transfers, bool atomic);
std::string order_body(const new_order& fields);
std::string description_body(const std::string& description);

} // namespace settle::client
