// The storage a fresh server gets: a new SQLite file in the server's temporary folder, or
// a new database on the PostgreSQL that `make test` starts, chosen by SETTLE_TEST_STORAGE.
#pragma once

#include <memory>
#include <string>

namespace settle::integration {

class test_storage {
 public:
  virtual ~test_storage() = default;
  // The value of --storage.url.
  virtual std::string url() const = 0;
};

// "sqlite" (also when unset) or "postgresql"; throws on anything else.
std::string storage_kind_from_environment();

// A fresh, empty storage; for SQLite the file lives in `directory`.
std::unique_ptr<test_storage> make_test_storage(const std::string& directory);

// Lowercase hexadecimal from a random device, for unique names.
std::string random_hex(std::size_t digits);

}  // namespace settle::integration
