// On PostgreSQL each column's cells travel as one array in the array type's text input
// form (elements double-quoted, NULL unquoted), bound as a parameter: the array syntax is
// PostgreSQL's own and the same whatever standard_conforming_strings says (the writer's
// session sets array_nulls on, which the unquoted NULL relies on).
#include "persistence/row_batch.hpp"

#include "domain/assert.hpp"
#include "domain/escaping.hpp"

namespace settle::persistence {
namespace {

constexpr std::size_t sqlite_parameter_limit = 32766;
constexpr std::size_t sqlite_rows_per_statement = 400;

// An element of a PostgreSQL array: double-quoted, with backslash and double quote
// escaped by a backslash.
void append_array_element(std::string& array, const sql_value& cell) {
  if (const auto* number = std::get_if<std::int64_t>(&cell)) {
    array += std::to_string(*number);
    return;
  }
  const auto* text = std::get_if<std::string>(&cell);
  if (text == nullptr) {
    array += "NULL";
    return;
  }
  array.push_back('"');
  append_escaped(
    array, *text, [](char c) { return c == '"' || c == '\\'; },
    [](std::string& out, char special) {
      out.push_back('\\');
      out.push_back(special);
    });
  array.push_back('"');
}

std::string with_relation(const std::string& sql, const std::string& relation) {
  constexpr std::string_view placeholder = "{rows}";
  auto position = sql.find(placeholder);
  SETTLE_ASSERT(position != std::string::npos);
  std::string text = sql;
  text.replace(position, placeholder.size(), relation);
  return text;
}

} // namespace

row_batch::row_batch(dialect kind)
    : kind_(kind) {}

void row_batch::add_cell(column_type type, sql_value cell) {
  if (rows_ == 0) {
    columns_.push_back(type);
  } else {
    SETTLE_ASSERT(cells_in_row_ < columns_.size() && columns_[cells_in_row_] == type);
  }
  cells_.push_back(std::move(cell));
  ++cells_in_row_;
}

row_batch& row_batch::text(std::string_view value) {
  SETTLE_ASSERT(value.find('\0') == std::string_view::npos);
  add_cell(column_type::text, std::string{value});
  return *this;
}

row_batch& row_batch::nullable_text(std::string_view value) {
  if (value.empty()) {
    add_cell(column_type::text, std::monostate{});
    return *this;
  }
  return text(value);
}

row_batch& row_batch::integer(std::int64_t value) {
  add_cell(column_type::integer, value);
  return *this;
}

void row_batch::end_row() {
  SETTLE_ASSERT(cells_in_row_ == columns_.size() && !columns_.empty());
  SETTLE_ASSERT(columns_.size() * sqlite_rows_per_statement <= sqlite_parameter_limit);
  ++rows_;
  cells_in_row_ = 0;
}

std::size_t row_batch::rows_per_statement() const noexcept {
  return kind_ == dialect::postgresql ? 5000 : sqlite_rows_per_statement;
}

sql_statement row_batch::statement(const std::string& sql, std::size_t start,
                                   std::size_t end) const {
  SETTLE_ASSERT(start < end && end <= rows_);
  sql_statement statement{{}};
  if (kind_ == dialect::postgresql) {
    statement.sql = with_relation(sql, unnest_relation());
    for (std::size_t column = 0; column < columns_.size(); ++column) {
      statement.values.emplace_back(column_array(column, start, end));
    }
  } else {
    statement.sql = with_relation(sql, values_relation(start, end));
    statement.values.assign(cells_.begin() + static_cast<std::ptrdiff_t>(start * columns_.size()),
                            cells_.begin() + static_cast<std::ptrdiff_t>(end * columns_.size()));
  }
  return statement;
}

// "VALUES (?1, ?2), (?3, ?4)...": one parameter per cell, SQLite's numbered form (bound
// by position, see query_bound).
std::string row_batch::values_relation(std::size_t start, std::size_t end) const {
  std::string sql = "VALUES ";
  std::size_t parameter = 0;
  for (std::size_t row = start; row < end; ++row) {
    sql += row == start ? "(" : ", (";
    for (std::size_t column = 0; column < columns_.size(); ++column) {
      sql += column == 0 ? "?" : ", ?";
      sql += std::to_string(++parameter);
    }
    sql += ")";
  }
  return sql;
}

// "{a,b,...}": the column's cells of rows [start, end) as a PostgreSQL array.
std::string row_batch::column_array(std::size_t column, std::size_t start,
                                    std::size_t end) const {
  std::string array = "{";
  for (std::size_t row = start; row < end; ++row) {
    array += row == start ? "" : ",";
    append_array_element(array, cells_[row * columns_.size() + column]);
  }
  array += "}";
  return array;
}

// "SELECT * FROM unnest(CAST($1 AS TEXT[]), CAST($2 AS BIGINT[]), ...)".
std::string row_batch::unnest_relation() const {
  std::string sql = "SELECT * FROM unnest(";
  for (std::size_t column = 0; column < columns_.size(); ++column) {
    sql += column == 0 ? "CAST($" : ", CAST($";
    sql += std::to_string(column + 1);
    sql += columns_[column] == column_type::text ? " AS TEXT[])" : " AS BIGINT[])";
  }
  sql += ")";
  return sql;
}

} // namespace settle::persistence
