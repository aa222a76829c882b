// The help page: a fixed head, then one entry per option of node_config's table (name,
// value type, default, meaning), grouped as the table groups them, then the exit codes.
#include "config/help_text.hpp"

#include <caf/config_option.hpp>
#include <caf/config_value.hpp>

#include <algorithm>
#include <map>
#include <sstream>

namespace settle::config {
namespace {

constexpr const char* page_head = R"(NAME
    settled - one node of Settle, a payment processor

SYNOPSIS
    settled [--config-file=FILE] [--GROUP.NAME=VALUE ...]

DESCRIPTION
    Serves the HTTP API, the WebSocket stream and the dashboard, and keeps the ledger in
    SQLite or PostgreSQL. An option is --GROUP.NAME=VALUE on the command line, or
    NAME=VALUE in the [GROUP] section of the --config-file (CAF's INI format); the
    command line wins.

OPTIONS
)";

constexpr const char* page_tail = R"(
EXIT STATUS
    0   stopped by SIGTERM or SIGINT after draining; or the page or check asked for
    1   an unexpected error
    2   it cannot start: an option, the files it names, the database or the port
    75  another settled took the database while this one's connection was gone

SEE ALSO
    docs/OPERATIONS.md (installed: /usr/share/doc/settle/OPERATIONS.md)
)";

// CAF 0.17's string_view converts to no std::string by itself.
std::string text_of(caf::string_view view) {
  return std::string{view.data(), view.size()};
}

// CAF's own texts for its global options say "to STDERR", but CAF 0.17 prints to
// standard output, and this page replaces its --help: they are said again here.
const std::map<std::string, std::string>& caf_descriptions() {
  static const std::map<std::string, std::string> descriptions{
    {"help", "print this page and exit"},
    {"long-help", "print every option, the actor framework's own too, and exit"},
    {"dump-config", "print the configuration as parsed and exit"},
    {"config-file", "INI file of options in [GROUP] sections; the command line wins"},
  };
  return descriptions;
}

std::string description_of(const caf::config_option& option) {
  auto replaced = caf_descriptions().find(text_of(option.long_name()));
  if (option.has_flat_cli_name() && replaced != caf_descriptions().end()) {
    return replaced->second;
  }
  return text_of(option.description());
}

// "-h, -?, --help", "--check-config", "--http.listen=<string>".
std::string usage_of(const caf::config_option& option) {
  std::string usage;
  for (char letter : option.short_names()) {
    usage += std::string{"-"} + letter + ", ";
  }
  usage += "--";
  if (!option.has_flat_cli_name()) {
    usage += text_of(option.category()) + ".";
  }
  usage += text_of(option.long_name());
  if (!option.is_flag()) {
    usage += "=<" + text_of(option.type_name()) + ">";
  }
  return usage;
}

std::string value_text(const caf::config_value& value) {
  if (auto text = caf::get_if<std::string>(&value)) {
    return text->empty() ? "none" : *text;
  }
  if (auto flag = caf::get_if<bool>(&value)) {
    return *flag ? "on" : "off";
  }
  if (auto real = caf::get_if<double>(&value)) { // CAF would print 0 as 0.000000
    std::ostringstream text;
    text << *real;
    return text.str();
  }
  return caf::to_string(value);
}

// The value the option holds before parsing; CAF keeps the config file's name apart
// (it reads that file from the working directory when it exists).
std::string default_of(const caf::config_option& option, const node_config& defaults) {
  if (option.has_flat_cli_name() && option.long_name() == "config-file") {
    return defaults.config_file_path.empty() ? "none" : defaults.config_file_path;
  }
  if (auto value = option.get()) {
    return value_text(*value);
  }
  return option.is_flag() ? "off" : "none";
}

std::string group_of(const caf::config_option& option) {
  return option.has_flat_cli_name() ? "global" : text_of(option.category());
}

// The groups in the order their first option was added.
std::vector<std::string> groups_in_order(const std::vector<const caf::config_option*>& options) {
  std::vector<std::string> groups;
  for (const auto* option : options) {
    auto group = group_of(*option);
    if (std::find(groups.begin(), groups.end(), group) == groups.end()) {
      groups.push_back(group);
    }
  }
  return groups;
}

} // namespace

bool asks_for_help(const std::vector<std::string>& arguments) {
  return std::any_of(arguments.begin(), arguments.end(), [](const std::string& argument) {
    return argument == "--help" || argument == "-h" || argument == "-?";
  });
}

std::string help_text(const node_config& defaults) {
  auto options = defaults.documented_options();
  std::ostringstream page;
  page << page_head;
  for (const auto& group : groups_in_order(options)) {
    page << "  " << group << "\n";
    for (const auto* option : options) {
      if (group_of(*option) == group) {
        page << "    " << usage_of(*option) << "  (default: " << default_of(*option, defaults)
             << ")\n        " << description_of(*option) << "\n";
      }
    }
  }
  page << page_tail;
  return page.str();
}

} // namespace settle::config
