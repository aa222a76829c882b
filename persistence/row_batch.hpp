// Rows for the multi-row statements of a group commit, bound the way each database takes
// them best. SQLite gets a VALUES list of parameters, one per cell. PostgreSQL gets one
// array per column, bound as a parameter and expanded by unnest(): the statement then
// stays the same whatever its row count, so it is prepared once (with VALUES, PostgreSQL
// analyses, coerces and plans every value).
#pragma once

#include "domain/ids.hpp"
#include "persistence/storage_url.hpp"
#include "persistence/text_query.hpp"

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace settle::persistence {

enum class column_type { text, integer };

// The first row sets the columns and their types; every later row repeats them.
class row_batch {
public:
  explicit row_batch(dialect kind);

  // The values of one row, in column order, then end_row().
  row_batch& text(std::string_view value);
  row_batch& nullable_text(std::string_view value); // NULL when empty
  // An id is stored as its text.
  template <class Tag>
  row_batch& text(const strong_id<Tag>& id) { return text(id.value); }
  template <class Tag>
  row_batch& nullable_text(const strong_id<Tag>& id) { return nullable_text(id.value); }
  row_batch& integer(std::int64_t value);
  void end_row();

  std::size_t size() const noexcept { return rows_; }
  bool empty() const noexcept { return rows_ == 0; }

  // `sql` with "{rows}" standing for rows [start, end) as a relation (one that can follow
  // "INSERT INTO t (columns) " or stand in "WITH d (columns) AS (...)"), with the rows'
  // values bound to it as $1... (?1... on SQLite); `sql` has no parameters of its own.
  sql_statement statement(const std::string& sql, std::size_t start, std::size_t end) const;

  // Calls visit(start, end) for each run of rows one statement takes, in order.
  template <class Visit>
  void for_each_statement(Visit visit) const {
    for (std::size_t start = 0; start < rows_; start += rows_per_statement()) {
      visit(start, std::min(rows_, start + rows_per_statement()));
    }
  }

private:
  // How many rows one statement takes: SQLite allows 32,766 parameters in a statement and
  // 500 terms in a compound SELECT; PostgreSQL's arrays have no such limit.
  std::size_t rows_per_statement() const noexcept;

  void add_cell(column_type type, sql_value cell);
  std::string values_relation(std::size_t start, std::size_t end) const;
  std::string unnest_relation() const;
  std::string column_array(std::size_t column, std::size_t start, std::size_t end) const;

  dialect kind_;
  std::vector<column_type> columns_;
  std::vector<sql_value> cells_; // row by row
  std::size_t rows_ = 0;
  std::size_t cells_in_row_ = 0;
};

} // namespace settle::persistence
