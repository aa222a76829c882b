// CAF's actor_system_config with Settle's options: it parses the command line and the
// INI config file (`--config-file=`), command line winning, into node_options.
#pragma once

#include "config/options.hpp"

#include <caf/actor_system_config.hpp>

#include <cstddef>
#include <string>
#include <vector>

namespace settle::config {

class node_config : public caf::actor_system_config {
public:
  node_config();

  // Copies the parsed values into `options` and sizes CAF's scheduler for them.
  // Call after parse(); returns an error sentence, or empty when all is valid.
  std::string finish();

  node_options options;
  // --check-config: check the options and the files they name, then exit.
  bool check_only = false;

  // The options `settled --help` documents, in the order they were added: CAF's global
  // ones (--help, --config-file, ...) and every one Settle adds. CAF's other groups
  // (scheduler, logger, middleman, ...) are left to --long-help: finish() sets what of
  // them matters.
  std::vector<const caf::config_option*> documented_options() const;

private:
  std::string check_cluster_tls();

  // Options before this index are CAF's own, added by actor_system_config's constructor.
  std::size_t caf_option_count_;

  std::string currencies_text_ = "USD,EUR,GBP,JPY,CNY,CHF,BHD";
  std::string cors_text_;
  std::string retention_text_ = "24h";
};

} // namespace settle::config
