// A query's result as text cells, the form PostgreSQL's simple query protocol answers in;
// the commit script returns rows this way on both databases (see commit_script).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace settle::persistence {

class text_rows;

// One row of a text_rows; valid while its text_rows lives.
class text_row {
public:
  text_row(const text_rows& rows, std::size_t index)
      : rows_(&rows)
      , index_(index) {}
  bool is_null(std::size_t column) const;
  const std::string& text(std::size_t column) const; // empty for NULL

private:
  const text_rows* rows_;
  std::size_t index_;
};

class text_rows {
public:
  explicit text_rows(std::size_t columns = 0)
      : columns_(columns) {}

  // Cells are added row by row, `columns` per row.
  void add(std::optional<std::string> cell) { cells_.push_back(std::move(cell)); }

  std::size_t columns() const noexcept { return columns_; }
  std::size_t size() const noexcept { return columns_ == 0 ? 0 : cells_.size() / columns_; }
  text_row operator[](std::size_t index) const { return text_row{*this, index}; }

private:
  friend class text_row;
  const std::optional<std::string>& cell(std::size_t row, std::size_t column) const {
    return cells_.at(row * columns_ + column);
  }

  std::size_t columns_;
  std::vector<std::optional<std::string>> cells_;
};

inline bool text_row::is_null(std::size_t column) const {
  return !rows_->cell(index_, column).has_value();
}

inline const std::string& text_row::text(std::size_t column) const {
  static const std::string empty;
  const auto& cell = rows_->cell(index_, column);
  return cell ? *cell : empty;
}

} // namespace settle::persistence
