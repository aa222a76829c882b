// Cells are written once, as SQL literals (SQLite) or as array elements (PostgreSQL).
#include "persistence/row_batch.hpp"

#include "domain/assert.hpp"
#include "domain/escaping.hpp"
#include "persistence/sql_literal.hpp"

namespace settle::persistence {
namespace {

// An element of a PostgreSQL array literal: double-quoted, with backslash and double quote
// escaped by a backslash (the array's own syntax, inside the SQL literal).
std::string array_element(std::string_view text) {
  std::string element = "\"";
  element.reserve(text.size() + 2);
  append_escaped(
    element, text, [](char c) { return c == '"' || c == '\\'; },
    [](std::string& out, char special) {
      out.push_back('\\');
      out.push_back(special);
    });
  element.push_back('"');
  return element;
}

// "SELECT * FROM unnest(CAST(<argument of column 0> AS TEXT[]), ...)": each column's array
// cast to its type, the argument written by argument(sql, column).
template <class Argument>
std::string unnest_of(const std::vector<column_type>& columns, Argument argument) {
  std::string sql = "SELECT * FROM unnest(";
  for (std::size_t column = 0; column < columns.size(); ++column) {
    sql += column == 0 ? "CAST(" : ", CAST(";
    argument(sql, column);
    sql += columns[column] == column_type::text ? " AS TEXT[])" : " AS BIGINT[])";
  }
  sql += ")";
  return sql;
}

} // namespace

row_batch::row_batch(dialect kind)
    : kind_(kind) {}

void row_batch::add_cell(column_type type, std::string cell) {
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
  if (kind_ == dialect::postgresql) {
    add_cell(column_type::text, array_element(value));
  } else {
    std::string literal;
    append_literal(literal, value);
    add_cell(column_type::text, std::move(literal));
  }
  return *this;
}

row_batch& row_batch::nullable_text(std::string_view value) {
  if (value.empty()) {
    add_cell(column_type::text, "NULL");
    return *this;
  }
  return text(value);
}

row_batch& row_batch::integer(std::int64_t value) {
  add_cell(column_type::integer, std::to_string(value));
  return *this;
}

void row_batch::end_row() {
  SETTLE_ASSERT(cells_in_row_ == columns_.size() && !columns_.empty());
  ++rows_;
  cells_in_row_ = 0;
}

std::size_t row_batch::rows_per_statement() const noexcept {
  return kind_ == dialect::postgresql ? 5000 : 400;
}

std::string row_batch::relation(std::size_t start, std::size_t end) const {
  SETTLE_ASSERT(start < end && end <= rows_);
  return kind_ == dialect::postgresql ? unnest_relation(start, end) : values_relation(start, end);
}

std::string row_batch::values_relation(std::size_t start, std::size_t end) const {
  std::string sql = "VALUES ";
  for (std::size_t row = start; row < end; ++row) {
    sql += row == start ? "(" : ", (";
    for (std::size_t column = 0; column < columns_.size(); ++column) {
      sql += column == 0 ? "" : ", ";
      sql += cells_[row * columns_.size() + column];
    }
    sql += ")";
  }
  return sql;
}

// "{a,b,...}": the column's cells of rows [start, end) as a PostgreSQL array literal.
std::string row_batch::column_array(std::size_t column, std::size_t start,
                                    std::size_t end) const {
  std::string array = "{";
  for (std::size_t row = start; row < end; ++row) {
    array += row == start ? "" : ",";
    array += cells_[row * columns_.size() + column];
  }
  array += "}";
  return array;
}

std::string row_batch::unnest_relation(std::size_t start, std::size_t end) const {
  return unnest_of(columns_, [&](std::string& sql, std::size_t column) {
    append_literal(sql, column_array(column, start, end));
  });
}

std::string row_batch::parameter_relation() const {
  SETTLE_ASSERT(kind_ == dialect::postgresql && !columns_.empty());
  return unnest_of(columns_, [](std::string& sql, std::size_t column) {
    sql += "$" + std::to_string(column + 1);
  });
}

std::vector<std::string> row_batch::arguments(std::size_t start, std::size_t end) const {
  SETTLE_ASSERT(kind_ == dialect::postgresql && start < end && end <= rows_);
  std::vector<std::string> arrays(columns_.size());
  for (std::size_t column = 0; column < columns_.size(); ++column) {
    append_literal(arrays[column], column_array(column, start, end));
  }
  return arrays;
}

} // namespace settle::persistence
