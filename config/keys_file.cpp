// Keys file parsing and key generation.
#include "config/keys_file.hpp"

#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>

namespace settle::config {

key_table parse_keys(const std::string& text) {
  key_table keys;
  std::istringstream lines{text};
  std::string line;
  int line_number = 0;
  while (std::getline(lines, line)) {
    ++line_number;
    std::istringstream fields{line};
    std::string key;
    std::string tenant;
    std::string role;
    std::string extra;
    if (!(fields >> key) || key[0] == '#') {
      continue;
    }
    if (!(fields >> tenant >> role) || (fields >> extra) || (role != "admin" && role != "tenant")) {
      throw std::runtime_error{"keys file line " + std::to_string(line_number)
                               + ": expected KEY TENANT ROLE with ROLE admin or tenant"};
    }
    if (tenant[0] == '_') { // the system's own tenants (_system owns the world accounts)
      throw std::runtime_error{"keys file line " + std::to_string(line_number)
                               + ": a tenant name may not start with '_'"};
    }
    keys[key] = api_key{tenant, role == "admin" ? key_role::admin : key_role::tenant};
  }
  return keys;
}

key_table load_keys_file(const std::string& path) {
  std::ifstream file{path};
  if (!file) {
    throw std::runtime_error{"cannot read the keys file " + path};
  }
  std::stringstream text;
  text << file.rdbuf();
  return parse_keys(text.str());
}

std::string generate_key() {
  constexpr char alphabet[] = "0123456789abcdefghijklmnopqrstuvwxyz";
  std::random_device device;
  std::string key = "sk_admin_";
  for (int i = 0; i < 32; ++i) {
    key.push_back(alphabet[device() % 36]);
  }
  return key;
}

} // namespace settle::config
