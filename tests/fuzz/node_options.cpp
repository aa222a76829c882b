// The node's options: the input's lines up to the first empty one are command-line
// arguments, the rest is the INI config file. Parsing and checking them ends in options
// or a sentence, never a crash.
#include "config/node_config.hpp"

#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text{reinterpret_cast<const char*>(data), size};
  auto split = text.find("\n\n");
  std::istringstream arguments{text.substr(0, split)};
  std::istringstream ini{split == std::string::npos ? std::string{} : text.substr(split + 2)};
  std::vector<std::string> list;
  for (std::string line; std::getline(arguments, line);) {
    if (line == "--help" || line == "-h" || line == "-?" || line.rfind("--dump-config", 0) == 0) {
      continue; // print and stop, as they should
    }
    list.push_back(line);
  }
  settle::config::node_config configuration;
  if (!configuration.parse(list, ini) && !configuration.cli_helptext_printed) {
    configuration.finish();
  }
  return 0;
}
