// A fresh, empty database for one test: a SQLite file in a temporary folder, or a new
// database (CREATE DATABASE settle_unit_<random>) on the PostgreSQL server that
// SETTLE_TEST_POSTGRES_DSN names, dropped again when the test ends.
#pragma once

#include "persistence/storage_url.hpp"

#include <memory>
#include <string>

namespace settle::testing {

class test_database {
public:
  virtual ~test_database() = default;

  // The storage URL as `--storage.url` takes it ("sqlite:…" or "postgresql://…").
  virtual std::string url_text() const = 0;

  // The same URL, parsed.
  persistence::storage_url url() const;
};

std::unique_ptr<test_database> make_sqlite_database();

// Nothing when SETTLE_TEST_POSTGRES_DSN is not set.
std::unique_ptr<test_database> make_postgresql_database();

// Runs `scenario` on a fresh SQLite database.
void run_on_sqlite(void (*scenario)(const test_database& database));

// Runs `scenario` on a fresh PostgreSQL database; without SETTLE_TEST_POSTGRES_DSN it
// warns and returns, so that a machine without PostgreSQL skips instead of failing.
void run_on_postgresql(void (*scenario)(const test_database& database));

// Lowercase hexadecimal digits from a random device, for unique names.
std::string random_hex(std::size_t digits);

} // namespace settle::testing
