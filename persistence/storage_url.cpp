// Storage URL parsing. libpq understands both `postgresql://…` URIs and `host=… port=…`
// strings, so they are passed through; SQLite gets a busy timeout so that the reader
// and writer connections wait for each other instead of failing.
#include "persistence/storage_url.hpp"

#include "domain/percent_encoding.hpp"

#include <stdexcept>

namespace settle::persistence {
namespace {

bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

// A keyword value for libpq (percent-decoded), quoted so spaces and quotes survive.
std::string keyword(std::string_view name, std::string_view encoded) {
  auto decoded = percent_decode(encoded, false);
  if (!decoded) {
    throw std::invalid_argument{"bad percent-encoding"};
  }
  std::string out{name};
  out += "='";
  for (char c : *decoded) {
    if (c == '\\' || c == '\'') {
      out.push_back('\\');
    }
    out.push_back(c);
  }
  out += "' ";
  return out;
}

// postgresql://user:password@host:port/database?key=value -> libpq keywords. SOCI
// reads the connection string itself before libpq sees it and mangles URIs.
std::optional<std::string> uri_to_keywords(std::string_view uri) {
  uri.remove_prefix(uri.find("://") + 3);
  std::string result;
  auto question = uri.find('?');
  auto parameters = question == std::string_view::npos ? std::string_view{} : uri.substr(question + 1);
  uri = uri.substr(0, question);
  auto slash = uri.find('/');
  auto authority = uri.substr(0, slash);
  if (slash != std::string_view::npos && slash + 1 < uri.size()) {
    result += keyword("dbname", uri.substr(slash + 1));
  }
  if (auto at = authority.rfind('@'); at != std::string_view::npos) {
    auto credentials = authority.substr(0, at);
    authority = authority.substr(at + 1);
    auto colon = credentials.find(':');
    result += keyword("user", credentials.substr(0, colon));
    if (colon != std::string_view::npos) {
      result += keyword("password", credentials.substr(colon + 1));
    }
  }
  auto colon = authority.rfind(':');
  if (colon != std::string_view::npos && authority.find(']', colon) == std::string_view::npos) {
    result += keyword("port", authority.substr(colon + 1));
    authority = authority.substr(0, colon);
  }
  if (!authority.empty()) {
    if (authority.front() == '[' && authority.back() == ']') {
      authority = authority.substr(1, authority.size() - 2);
    }
    result += keyword("host", authority);
  }
  while (!parameters.empty()) {
    auto ampersand = parameters.find('&');
    auto pair = parameters.substr(0, ampersand);
    auto equals = pair.find('=');
    if (equals == std::string_view::npos) {
      return std::nullopt;
    }
    result += keyword(pair.substr(0, equals), pair.substr(equals + 1));
    parameters = ampersand == std::string_view::npos ? std::string_view{} : parameters.substr(ampersand + 1);
  }
  return result;
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
  if (starts_with(text, "postgresql://") || starts_with(text, "postgres://")) {
    try {
      auto keywords = uri_to_keywords(text);
      if (!keywords) {
        return std::nullopt;
      }
      return storage_url{dialect::postgresql, *keywords, {}};
    } catch (const std::invalid_argument&) {
      return std::nullopt;
    }
  }
  if (text.find("host=") != std::string_view::npos || text.find("dbname=") != std::string_view::npos) {
    return storage_url{dialect::postgresql, std::string{text}, {}};
  }
  return std::nullopt;
}

} // namespace settle::persistence
