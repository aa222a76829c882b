// settled --help: a manual page of every option with its default and its meaning, made
// from node_config's option table, so that an option added there is documented here too.
#pragma once

#include "config/node_config.hpp"

#include <string>
#include <vector>

namespace settle::config {

// Whether the command line asks for the help page: -h, -? or --help anywhere in it.
// Checked before CAF parses it, whose own --help would print the global group alone.
bool asks_for_help(const std::vector<std::string>& arguments);

// The page, for a node_config that has parsed nothing, so that its values are the
// defaults.
std::string help_text(const node_config& defaults);

} // namespace settle::config
