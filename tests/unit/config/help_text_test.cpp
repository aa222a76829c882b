// settled --help is made from node_config's option table. These tests hold the page to
// that table (every option, its default, its meaning) and the table to the one in
// docs/OPERATIONS.md, so that an option added to the code and not to the docs, or the
// reverse, fails here.
#include "config/help_text.hpp"

#include <caf/config_option.hpp>
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

using settle::config::node_config;

std::string text_of(caf::string_view view) {
  return std::string{view.data(), view.size()};
}

// "--http.listen", "--check-config", as the command line spells it.
std::string command_line_name(const caf::config_option& option) {
  auto group = option.has_flat_cli_name() ? std::string{} : text_of(option.category()) + ".";
  return "--" + group + text_of(option.long_name());
}

std::set<std::string> names_in_the_option_table() {
  node_config configuration;
  std::set<std::string> names;
  for (const auto* option : configuration.documented_options()) {
    names.insert(command_line_name(*option));
  }
  return names;
}

// Found from this file's own path: the unit tests run from the build folder, which may
// be anywhere.
std::string operations_page() {
  auto path = std::filesystem::path{__FILE__}.parent_path() / "../../../docs/OPERATIONS.md";
  std::ifstream file{path};
  REQUIRE(file);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

// The options named in the first column of docs/OPERATIONS.md's table of options.
std::set<std::string> names_in_the_operations_page() {
  std::set<std::string> names;
  std::istringstream page{operations_page()};
  const std::regex option_name{"--[a-z0-9][a-z0-9.-]*"};
  for (std::string line; std::getline(page, line);) {
    if (line.rfind("| `--", 0) != 0) {
      continue;
    }
    auto first_cell = line.substr(0, line.find(" |", 1));
    for (std::sregex_iterator match{first_cell.begin(), first_cell.end(), option_name}, end;
         match != end; ++match) {
      names.insert(match->str());
    }
  }
  return names;
}

std::vector<std::string> missing_from(const std::set<std::string>& names,
                                      const std::set<std::string>& expected) {
  std::vector<std::string> missing;
  for (const auto& name : expected) {
    if (names.count(name) == 0) {
      missing.push_back(name);
    }
  }
  return missing;
}

// The page's line that introduces an option, e.g.
// "    --http.listen=<string>  (default: 127.0.0.1:8080)", and the line after it.
std::pair<std::string, std::string> entry_of(const std::string& page, const std::string& name) {
  std::istringstream lines{page};
  for (std::string line; std::getline(lines, line);) {
    auto at = line.find(name);
    auto after = at == std::string::npos ? '\0' : line[at + name.size()];
    if ((after == '=' || after == ' ') && line.find("(default: ") != std::string::npos) {
      std::string description;
      std::getline(lines, description);
      return {line, description};
    }
  }
  return {};
}

std::string default_shown_for(const std::string& name) {
  node_config defaults;
  auto line = entry_of(settle::config::help_text(defaults), name).first;
  auto start = line.find("(default: ");
  return start == std::string::npos ? "(not listed)" : line.substr(start);
}

} // namespace

TEST_CASE("settled --help lists every option of the table with a default and a meaning", "[help]") {
  node_config defaults;
  auto page = settle::config::help_text(defaults);
  REQUIRE(defaults.documented_options().size() > 30);
  for (const auto* option : defaults.documented_options()) {
    auto name = command_line_name(*option);
    INFO(name);
    auto [line, description] = entry_of(page, name);
    CHECK(line.find("(default: ") != std::string::npos);
    CHECK(description.rfind("        ", 0) == 0);
    CHECK(description.find_first_not_of(' ') != std::string::npos);
  }
  // CAF's other groups are its own business: finish() sets the scheduler, for one.
  CHECK(page.find("--scheduler.") == std::string::npos);
}

TEST_CASE("settled --help shows the values the options start with", "[help]") {
  CHECK(default_shown_for("--http.listen") == "(default: 127.0.0.1:8080)");
  CHECK(default_shown_for("--storage.url") == "(default: sqlite:settle.db)");
  CHECK(default_shown_for("--http.body-limit") == "(default: 65536)");
  CHECK(default_shown_for("--settle.currencies") == "(default: USD,EUR,GBP,JPY,CNY,CHF,BHD)");
  CHECK(default_shown_for("--idempotency.retention") == "(default: 24h)");
  CHECK(default_shown_for("--auth.keys-file") == "(default: none)");
  CHECK(default_shown_for("--http.web-root") == "(default: none)");
  CHECK(default_shown_for("--auth.rate-limit") == "(default: 0)");
  CHECK(default_shown_for("--check-config") == "(default: off)");
  CHECK(default_shown_for("--config-file") == "(default: caf-application.ini)");
}

TEST_CASE("settled --help and the table of docs/OPERATIONS.md name the same options", "[help]") {
  auto in_code = names_in_the_option_table();
  auto in_docs = names_in_the_operations_page();
  CHECK(missing_from(in_docs, in_code) == std::vector<std::string>{});
  CHECK(missing_from(in_code, in_docs) == std::vector<std::string>{});
}

TEST_CASE("the help page is asked for by -h, -? or --help anywhere on the command line", "[help]") {
  using settle::config::asks_for_help;
  CHECK(asks_for_help({"--help"}));
  CHECK(asks_for_help({"--storage.url=sqlite:x.db", "-h"}));
  CHECK(asks_for_help({"-?"}));
  CHECK_FALSE(asks_for_help({}));
  CHECK_FALSE(asks_for_help({"--helpful", "--long-help", "--http.listen=-h"}));
}
