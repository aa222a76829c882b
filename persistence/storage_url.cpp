// Storage URL parsing. A PostgreSQL URI or `key=value` string is read by libpq itself
// (PQconninfoParse: percent-decoding, IPv6 brackets, query parameters, quoting) and
// handed to SOCI as quoted keywords, since SOCI reads a connection string before libpq
// sees it and mangles URIs. SQLite gets a busy timeout so that the reader and writer
// connections wait for each other instead of failing.
#include "persistence/storage_url.hpp"

#include <libpq-fe.h>

#include <memory>

namespace settle::persistence {
namespace {

bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

// `name='value' `, quoted so that spaces, quotes and backslashes survive.
std::string keyword(std::string_view name, std::string_view value) {
  std::string out{name};
  out += "='";
  for (char c : value) {
    if (c == '\\' || c == '\'') {
      out.push_back('\\');
    }
    out.push_back(c);
  }
  out += "' ";
  return out;
}

struct free_options {
  void operator()(PQconninfoOption* options) const noexcept { PQconninfoFree(options); }
};

// The options libpq reads from `text`, as quoted keywords; nothing when libpq refuses
// it, or (`needs_target`) when it names neither a host nor a database.
std::optional<std::string> libpq_keywords(std::string_view text, bool needs_target) {
  const std::string owned{text};
  char* error = nullptr;
  std::unique_ptr<PQconninfoOption, free_options> options{PQconninfoParse(owned.c_str(), &error)};
  if (error != nullptr) {
    PQfreemem(error);
  }
  if (!options) {
    return std::nullopt;
  }
  std::string keywords;
  bool names_target = false;
  for (auto* option = options.get(); option->keyword != nullptr; ++option) {
    if (option->val == nullptr) {
      continue;
    }
    std::string_view name{option->keyword};
    names_target = names_target || name == "host" || name == "hostaddr" || name == "dbname";
    keywords += keyword(name, option->val);
  }
  if (needs_target && !names_target) {
    return std::nullopt;
  }
  return keywords;
}

} // namespace

std::optional<storage_url> parse_storage_url(std::string_view text) {
  if (starts_with(text, "sqlite:")) {
    auto path = text.substr(7);
    if (starts_with(path, "//")) {
      path.remove_prefix(2);
    }
    // The path is quoted inside SOCI's connection string: a quote would end it there.
    if (path.empty() || path.find_first_of(std::string_view{"\"\0", 2}) != std::string_view::npos) {
      return std::nullopt;
    }
    return storage_url{dialect::sqlite, "db=\"" + std::string{path} + "\" timeout=30",
                       std::string{path}};
  }
  // A URI is PostgreSQL whatever it names (libpq's defaults fill the rest); a keyword
  // string only when it names a host or a database, so that a mistyped SQLite path is
  // not taken for one.
  const bool uri = starts_with(text, "postgresql://") || starts_with(text, "postgres://");
  if (text.find_first_of(std::string_view{"\0", 1}) != std::string_view::npos) {
    return std::nullopt;
  }
  auto keywords = libpq_keywords(text, !uri);
  if (!keywords) {
    return std::nullopt;
  }
  return storage_url{dialect::postgresql, std::move(*keywords), {}};
}

} // namespace settle::persistence
