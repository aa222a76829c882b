// SQL literals: values are written into the statements' text (the reader's queries, the
// writer's updates, row_batch's cells); strings are quoted the standard way (quotes
// doubled), which PostgreSQL (standard_conforming_strings) and SQLite share.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace settle::persistence {

// Appends 'text' with every quote doubled. Text never contains NUL (validated earlier).
void append_literal(std::string& sql, std::string_view text);

// Appends NULL when `text` is empty, else the quoted literal.
void append_nullable_literal(std::string& sql, std::string_view text);

void append_literal(std::string& sql, std::int64_t value);

// Builds an UPDATE of one row by id: "UPDATE t SET a = 'x', b = 2 WHERE id = 'r'".
class sql_update {
public:
  explicit sql_update(std::string_view table);
  sql_update& text(std::string_view column, std::string_view value);
  sql_update& nullable_text(std::string_view column, std::string_view value); // NULL if empty
  sql_update& integer(std::string_view column, std::int64_t value);
  std::string where_id(std::string_view id);

private:
  void assign(std::string_view column);

  std::string sql_;
  bool first_ = true;
};

} // namespace settle::persistence
