// The catalogues (web/i18n/<tag>.json): every error code has a sentence in each
// language, every language has the same dashboard words, and error bodies are rewritten
// into the request's language with their codes and params unchanged.
#include "net/message_catalogue.hpp"

#include "net/error_mapping.hpp"
#include "net/json_renderer.hpp"
#include "net/localized_errors.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <set>
#include <string>

namespace {

namespace json = boost::json;
using settle::net::language;

std::set<std::string> keys_of(language chosen, const char* section) {
  std::set<std::string> keys;
  auto root = json::parse(settle::net::catalogue_text(chosen)).as_object();
  for (const auto& [key, value] : root.at(section).as_object()) {
    CHECK(value.is_string());
    CHECK_FALSE(value.as_string().empty());
    keys.insert(std::string{key});
  }
  return keys;
}

json::object error_of(const std::string& body) {
  return json::parse(body).as_object().at("error").as_object();
}

} // namespace

TEST_CASE("every error code has a message in every language", "[language]") {
  for (auto chosen : settle::net::languages) {
    INFO("language " << settle::net::language_tag(chosen));
    std::set<std::string> codes;
    for (std::size_t index = 0; index < settle::settle_errc_count; ++index) {
      auto code = settle::net::mapping_of(static_cast<settle::settle_errc>(index)).api_code;
      INFO("code " << code);
      CHECK(settle::net::error_sentence(chosen, code).has_value());
      codes.insert(std::string{code});
    }
    CHECK(keys_of(chosen, "errors") == codes); // and no sentence for a code that is not
  }
}

TEST_CASE("every language has the same dashboard words", "[language]") {
  CHECK(keys_of(language::chinese, "dashboard") == keys_of(language::english, "dashboard"));
  CHECK(keys_of(language::chinese, "statuses") == keys_of(language::english, "statuses"));
  for (auto chosen : settle::net::languages) {
    auto root = json::parse(settle::net::catalogue_text(chosen)).as_object();
    CHECK(root.at("language").as_string() == settle::net::language_tag(chosen));
    CHECK(std::string{root.at("parameter").as_string()}.find("{param}") != std::string::npos);
  }
}

TEST_CASE("an error body is rewritten into Chinese, code and param unchanged", "[language]") {
  auto english = settle::net::json_renderer{}.error(
    settle::make_failure(settle::settle_errc::insufficient_funds, "available is 5, 10 needed", "amount"));
  CHECK(settle::net::localize_errors(english, language::english) == english);

  auto chinese = error_of(settle::net::localize_errors(english, language::chinese));
  CHECK(chinese.at("code") == "insufficient_funds");
  CHECK(chinese.at("type") == "payment_error");
  CHECK(chinese.at("param") == "amount");
  CHECK(chinese.at("message") == "账户可用余额不足。（参数：amount）");

  auto without_param = settle::net::json_renderer{}.error(
    settle::make_failure(settle::settle_errc::not_found, "no such transfer"));
  auto rewritten = error_of(settle::net::localize_errors(without_param, language::chinese));
  CHECK(rewritten.at("message") == "对象不存在。");
  CHECK(rewritten.at("param").is_null());
}

TEST_CASE("a batch's failed results are rewritten, its transfers kept as they are", "[language]") {
  const std::string batch =
    R"({"object":"batch","results":[{"id":"trf_1","object":"transfer","amount":5},)"
    R"({"error":{"type":"payment_error","code":"insufficient_funds","message":"x","param":"amount"}}]})";
  auto rewritten = json::parse(settle::net::localize_errors(batch, language::chinese)).as_object();
  const auto& results = rewritten.at("results").as_array();
  CHECK(results.at(0) == json::parse(R"({"id":"trf_1","object":"transfer","amount":5})"));
  CHECK(results.at(1).at("error").at("message") == "账户可用余额不足。（参数：amount）");
}

TEST_CASE("bodies that are not errors, or not JSON, are left as they are", "[language]") {
  const std::string transfer = R"({"id":"trf_1","object":"transfer","description":"error"})";
  CHECK(settle::net::localize_errors(transfer, language::chinese) == transfer);
  const std::string unknown_code = R"({"error":{"code":"no_such_code","message":"m"}})";
  CHECK(settle::net::localize_errors(unknown_code, language::chinese) == unknown_code);
  const std::string broken = R"({"error": )";
  CHECK(settle::net::localize_errors(broken, language::chinese) == broken);
}
