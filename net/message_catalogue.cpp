// The catalogues are parsed once, on first use; they are part of the binary, so a
// malformed one is a build defect that the catalogue test reports.
#include "net/message_catalogue.hpp"

#include "domain/assert.hpp"

#include <boost/json.hpp>

#include <map>

namespace settle::net {

std::string_view english_catalogue();
std::string_view chinese_catalogue();

namespace {

struct catalogue {
  std::map<std::string, std::string, std::less<>> errors;
  std::string parameter; // e.g. "(parameter: {param})"
};

catalogue parse_catalogue(std::string_view text) {
  catalogue parsed;
  const auto root = boost::json::parse(text).as_object();
  for (const auto& [code, sentence] : root.at("errors").as_object()) {
    parsed.errors.emplace(std::string{code}, std::string{sentence.as_string()});
  }
  parsed.parameter = std::string{root.at("parameter").as_string()};
  return parsed;
}

const catalogue& catalogue_of(language chosen) {
  static const catalogue english = parse_catalogue(english_catalogue());
  static const catalogue chinese = parse_catalogue(chinese_catalogue());
  return chosen == language::chinese ? chinese : english;
}

} // namespace

std::string_view catalogue_text(language chosen) noexcept {
  return chosen == language::chinese ? chinese_catalogue() : english_catalogue();
}

std::optional<std::string_view> error_sentence(language chosen, std::string_view code) {
  const auto& errors = catalogue_of(chosen).errors;
  auto found = errors.find(code);
  if (found == errors.end()) {
    return std::nullopt;
  }
  return std::string_view{found->second};
}

std::string error_message(language chosen, std::string_view code, std::string_view param) {
  auto sentence = error_sentence(chosen, code);
  SETTLE_ASSERT(sentence.has_value());
  std::string message{*sentence};
  if (!param.empty()) {
    std::string parameter = catalogue_of(chosen).parameter;
    auto slot = parameter.find("{param}");
    SETTLE_ASSERT(slot != std::string::npos);
    parameter.replace(slot, 7, param);
    message += parameter;
  }
  return message;
}

} // namespace settle::net
