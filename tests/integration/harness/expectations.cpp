// The contract's error format in one place, so every test checks it the same way.
#include "tests/integration/harness/expectations.hpp"

#include "tests/integration/harness/json_helpers.hpp"

namespace settle::integration {

namespace {

std::string quoted_body(const http_response& response) {
  return "; body: " + response.body.substr(0, 1500);
}

bool is_nonempty_string(const boost::json::value* value) {
  return value && value->is_string() && !value->as_string().empty();
}

std::string param_mismatch(const boost::json::object& error, const expected_param& expected) {
  const auto* actual = error.if_contains("param");
  switch (expected.expectation) {
    case expected_param::kind::any:
      return actual && (actual->is_null() || actual->is_string()) ? "" : "param is neither a string nor null; ";
    case expected_param::kind::null:
      return actual && actual->is_null() ? "" : "param should be null; ";
    case expected_param::kind::named:
      return actual && actual->is_string() && actual->as_string() == expected.name
                 ? ""
                 : "param should be \"" + expected.name + "\"; ";
  }
  return "";
}

std::string error_object_mismatch(const boost::json::value& body, std::string_view expected_code) {
  if (!body.is_object() || keys_of(body.as_object()) != key_set({"error"}) ||
      !body.as_object().at("error").is_object()) {
    return "body is not exactly {\"error\": {...}}; ";
  }
  const auto& error = body.as_object().at("error").as_object();
  std::string problems;
  if (keys_of(error) != key_set({"type", "code", "message", "param"})) {
    problems += "error members are not exactly type, code, message, param; ";
  }
  if (!is_nonempty_string(error.if_contains("type")) || !is_nonempty_string(error.if_contains("message"))) {
    problems += "type and message must be non-empty strings; ";
  }
  const auto* code = error.if_contains("code");
  if (!code || !code->is_string() || code->as_string() != expected_code) {
    problems += "code should be \"" + std::string(expected_code) + "\"; ";
  }
  return problems;
}

}  // namespace

expected_param param(std::string name) { return {expected_param::kind::named, std::move(name)}; }

std::string status_mismatch(const http_response& response, unsigned expected_status) {
  if (response.status == expected_status) {
    return "";
  }
  return "status " + std::to_string(response.status) + ", expected " + std::to_string(expected_status) +
         quoted_body(response);
}

std::string error_mismatch(const http_response& response, unsigned expected_status, std::string_view expected_code,
                           const expected_param& expected) {
  std::string problems;
  if (response.status != expected_status) {
    problems += "status " + std::to_string(response.status) + ", expected " + std::to_string(expected_status) + "; ";
  }
  const auto content_type = response.header("Content-Type").value_or("");
  if (content_type.rfind("application/json", 0) != 0) {
    problems += "Content-Type is \"" + content_type + "\", not application/json; ";
  }
  boost::json::error_code parse_error;
  const auto body = boost::json::parse(response.body, parse_error);
  if (parse_error) {
    problems += "body is not JSON; ";
  } else {
    problems += error_object_mismatch(body, expected_code);
    const auto* error = body.is_object() ? body.as_object().if_contains("error") : nullptr;
    if (error && error->is_object()) {
      problems += param_mismatch(error->as_object(), expected);
    }
  }
  return problems.empty() ? "" : problems + quoted_body(response);
}

std::string error_shape_mismatch(const std::string& error_json, std::string_view expected_code) {
  boost::json::error_code parse_error;
  const auto body = boost::json::parse(error_json, parse_error);
  if (parse_error) {
    return "not JSON: " + error_json;
  }
  const auto problems = error_object_mismatch(body, expected_code);
  return problems.empty() ? "" : problems + "in " + error_json;
}

}  // namespace settle::integration
