#include "persistence/event_columns.hpp"

#include "persistence/connection.hpp"

namespace settle::persistence {

std::string padded_list(const std::vector<std::string>& items) {
  std::string list = " ";
  for (const auto& item : items) {
    if (!item.empty()) {
      list += item + " ";
    }
  }
  return list;
}

std::vector<std::string> split_words(const std::string& padded) {
  std::vector<std::string> words;
  std::size_t start = 0;
  while (start < padded.size()) {
    auto end = padded.find(' ', start);
    if (end == std::string::npos) {
      end = padded.size();
    }
    if (end > start) {
      words.push_back(padded.substr(start, end - start));
    }
    start = end + 1;
  }
  return words;
}

event_tenant_columns tenant_columns_of(const std::vector<std::string>& tenants) {
  event_tenant_columns columns;
  for (const auto& tenant : tenants) {
    if (tenant.empty() || tenant == columns.tenant || tenant == columns.other_tenant) {
      continue;
    }
    if (columns.tenant.empty()) {
      columns.tenant = tenant;
    } else if (columns.other_tenant.empty()) {
      columns.other_tenant = tenant;
    } else {
      // A third tenant would not find the event on its page: no event has one.
      throw storage_error{"an event concerns more than two tenants"};
    }
  }
  return columns;
}

} // namespace settle::persistence
