// Quoting for SQL literals.
#include "persistence/sql_literal.hpp"

#include "domain/assert.hpp"
#include "domain/escaping.hpp"

namespace settle::persistence {

void append_literal(std::string& sql, std::string_view text) {
  SETTLE_ASSERT(text.find('\0') == std::string_view::npos);
  sql.push_back('\'');
  append_escaped(
    sql, text, [](char c) { return c == '\''; },
    [](std::string& out, char quote) {
      out.push_back(quote); // doubled
      out.push_back(quote);
    });
  sql.push_back('\'');
}

void append_nullable_literal(std::string& sql, std::string_view text) {
  if (text.empty()) {
    sql += "NULL";
  } else {
    append_literal(sql, text);
  }
}

void append_literal(std::string& sql, std::int64_t value) {
  sql += std::to_string(value);
}

sql_update::sql_update(std::string_view table) : sql_("UPDATE ") {
  sql_ += table;
  sql_ += " SET ";
}

void sql_update::assign(std::string_view column) {
  sql_ += first_ ? "" : ", ";
  first_ = false;
  sql_ += column;
  sql_ += " = ";
}

sql_update& sql_update::text(std::string_view column, std::string_view value) {
  assign(column);
  append_literal(sql_, value);
  return *this;
}

sql_update& sql_update::nullable_text(std::string_view column, std::string_view value) {
  assign(column);
  append_nullable_literal(sql_, value);
  return *this;
}

sql_update& sql_update::integer(std::string_view column, std::int64_t value) {
  assign(column);
  append_literal(sql_, value);
  return *this;
}

std::string sql_update::where_id(std::string_view id) {
  sql_ += " WHERE id = ";
  append_literal(sql_, id);
  return std::move(sql_);
}

} // namespace settle::persistence
