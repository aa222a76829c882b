// SQL literals for the multi-row statements of a group commit. One statement carries
// a whole batch, so values are written into its text; strings are quoted the standard
// way (quotes doubled), which PostgreSQL (standard_conforming_strings) and SQLite share.
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

// Builds one parenthesized row of literals for a multi-row INSERT: "('a', 1, NULL)".
class sql_row {
public:
  sql_row& text(std::string_view value);
  sql_row& nullable_text(std::string_view value); // NULL when empty
  sql_row& integer(std::int64_t value);
  std::string finish();

private:
  void separate();

  std::string sql_ = "(";
};

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
