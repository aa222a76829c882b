// Reading SOCI rows without caring how each backend types a column: SQLite reports
// expression columns as int or text, PostgreSQL reports BIGINT, COUNT and SUM apart.
#pragma once

#include "persistence/text_rows.hpp"

#include <soci/soci.h>

#include <cstdint>
#include <string>

namespace settle::persistence {

std::int64_t read_int64(const soci::row& row, std::size_t position);

// The text of a column, or `fallback` when it is NULL.
std::string read_text(const soci::row& row, std::size_t position, const std::string& fallback = {});

// The same for a row of text cells (0 and `fallback` for NULL).
std::int64_t read_int64(const text_row& row, std::size_t position);
std::string read_text(const text_row& row, std::size_t position, const std::string& fallback = {});

} // namespace settle::persistence
