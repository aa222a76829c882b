// Checks of a response against the contract, as functions that describe every mismatch
// (empty when there is none), and macros that report them at the caller's line:
//   CHECK_STATUS(response, 201);
//   CHECK_ERROR(response, 422, "invalid_parameter", param("amount"));
#pragma once

#include "tests/integration/harness/http_client.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace settle::integration {

// What an error's `param` must be: a field name, JSON null, or anything (where the
// contract leaves it open, e.g. for an id in the path).
struct expected_param {
  enum class kind { named, null, any };
  kind expectation = kind::any;
  std::string name;
};

expected_param param(std::string name);
inline const expected_param no_param{expected_param::kind::null, ""};
inline const expected_param any_param{expected_param::kind::any, ""};

std::string status_mismatch(const http_response& response, unsigned expected_status);

// Status, the exact error shape {"error": {"type", "code", "message", "param"}}, the code
// and the param, and `Content-Type: application/json`.
std::string error_mismatch(const http_response& response, unsigned expected_status, std::string_view expected_code,
                           const expected_param& expected);

// Only the error shape, for the error objects inside a batch's results.
std::string error_shape_mismatch(const std::string& error_json, std::string_view expected_code);

}  // namespace settle::integration

#define CHECK_STATUS(response, expected_status) \
  CHECK(::settle::integration::status_mismatch((response), (expected_status)) == "")
#define REQUIRE_STATUS(response, expected_status) \
  REQUIRE(::settle::integration::status_mismatch((response), (expected_status)) == "")
#define CHECK_ERROR(response, expected_status, expected_code, expected_param_value)                 \
  CHECK(::settle::integration::error_mismatch((response), (expected_status), (expected_code), \
                                              (expected_param_value)) == "")
