#include "net/localized_errors.hpp"

#include "net/message_catalogue.hpp"

#include <boost/json.hpp>

namespace settle::net {
namespace {

namespace json = boost::json;

// Rewrites `holder`'s "error" object, if it has one with a known code. True if it did.
bool localize_error_of(json::object& holder, language chosen) {
  auto* error = holder.if_contains("error");
  if (error == nullptr || !error->is_object()) {
    return false;
  }
  auto& fields = error->as_object();
  const auto* code = fields.if_contains("code");
  if (code == nullptr || !code->is_string() || !error_sentence(chosen, code->as_string())) {
    return false;
  }
  const auto* param = fields.if_contains("param");
  std::string_view param_text = param && param->is_string() ? std::string_view{param->as_string()}
                                                            : std::string_view{};
  fields["message"] = error_message(chosen, code->as_string(), param_text);
  return true;
}

} // namespace

std::string localize_errors(std::string body, language chosen) {
  if (chosen == language::english || body.find(R"("error")") == std::string::npos) {
    return body;
  }
  json::error_code failed;
  auto parsed = json::parse(body, failed);
  if (failed || !parsed.is_object()) {
    return body;
  }
  auto& root = parsed.as_object();
  bool changed = localize_error_of(root, chosen);
  if (auto* results = root.if_contains("results"); results && results->is_array()) {
    for (auto& result : results->as_array()) {
      if (result.is_object()) {
        changed = localize_error_of(result.as_object(), chosen) || changed;
      }
    }
  }
  return changed ? json::serialize(parsed) : body;
}

} // namespace settle::net
