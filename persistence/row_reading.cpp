// Column reading that tolerates each backend's idea of a column's type.
#include "persistence/row_reading.hpp"

#include "persistence/connection.hpp"

#include <cmath>

namespace settle::persistence {

std::int64_t read_int64(const soci::row& row, std::size_t position) {
  if (row.get_indicator(position) == soci::i_null) {
    return 0;
  }
  switch (row.get_properties(position).get_data_type()) {
    case soci::dt_integer:
      return row.get<int>(position);
    case soci::dt_long_long:
      return row.get<long long>(position);
    case soci::dt_unsigned_long_long:
      return static_cast<std::int64_t>(row.get<unsigned long long>(position));
    case soci::dt_double:
      return static_cast<std::int64_t>(std::llround(row.get<double>(position)));
    case soci::dt_string:
      return std::stoll(row.get<std::string>(position));
    default:
      throw storage_error{"unexpected column type for an integer"};
  }
}

std::string read_text(const soci::row& row, std::size_t position, const std::string& fallback) {
  if (row.get_indicator(position) == soci::i_null) {
    return fallback;
  }
  return row.get<std::string>(position);
}

std::int64_t read_int64(const text_row& row, std::size_t position) {
  if (row.is_null(position)) {
    return 0;
  }
  try {
    return std::stoll(row.text(position));
  } catch (const std::exception&) {
    throw storage_error{"not an integer: " + row.text(position)};
  }
}

std::string read_text(const text_row& row, std::size_t position, const std::string& fallback) {
  return row.is_null(position) ? fallback : row.text(position);
}

} // namespace settle::persistence
