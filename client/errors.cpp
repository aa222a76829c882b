// The one error class with more than a message.
#include "client/errors.hpp"

#include <utility>

namespace settle::client {

namespace {

// "402 insufficient_funds: the account's available balance is too low", for what().
std::string describe(unsigned status, const error_details& details) {
  return std::to_string(status) + " " + details.code + ": " + details.message;
}

} // namespace

api_error::api_error(unsigned status, error_details details)
    : error(describe(status, details)), status_(status), details_(std::move(details)) {}

} // namespace settle::client
