// Reading SOCI rows without caring how each backend types a column: SQLite reports
// expression columns as int or text, PostgreSQL reports BIGINT, COUNT and SUM apart.
#pragma once

#include <soci/soci.h>

#include <cstdint>
#include <string>

namespace settle::persistence {

std::int64_t read_int64(const soci::row& row, std::size_t position);

// The text of a column, or `fallback` when it is NULL.
std::string read_text(const soci::row& row, std::size_t position, const std::string& fallback = {});

} // namespace settle::persistence
