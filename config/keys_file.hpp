// API keys: each line of the keys file is `KEY TENANT ROLE` (`admin` or `tenant`).
#pragma once

#include <optional>
#include <string>
#include <unordered_map>

namespace settle::config {

enum class key_role { admin, tenant };

struct api_key {
  std::string tenant;
  key_role role = key_role::tenant;
};

using key_table = std::unordered_map<std::string, api_key>;

// Parses the file's text; blank lines and lines starting with # are skipped.
// Throws std::runtime_error naming the line of a malformed entry.
key_table parse_keys(const std::string& text);

// Reads and parses the file. Throws std::runtime_error when it cannot be read.
key_table load_keys_file(const std::string& path);

// A fresh random key, for the admin key made when no keys file is given.
std::string generate_key();

} // namespace settle::config
