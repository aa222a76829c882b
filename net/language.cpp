// Accept-Language: "zh-CN,zh;q=0.9,en;q=0.8". Each range is a tag with an optional
// weight; the highest weight among the ranges we serve wins, the first one on a tie.
#include "net/language.hpp"

#include <cctype>
#include <optional>

namespace settle::net {
namespace {

std::string_view trimmed(std::string_view text) noexcept {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
    text.remove_prefix(1);
  }
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) {
    text.remove_suffix(1);
  }
  return text;
}

bool starts_with_tag(std::string_view range, std::string_view tag) noexcept {
  if (range.size() < tag.size() || (range.size() > tag.size() && range[tag.size()] != '-')) {
    return false;
  }
  for (std::size_t i = 0; i < tag.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(range[i])) != tag[i]) {
      return false;
    }
  }
  return true;
}

std::optional<language> language_of_range(std::string_view range) noexcept {
  if (starts_with_tag(range, "zh")) {
    return language::chinese;
  }
  if (starts_with_tag(range, "en")) {
    return language::english;
  }
  return std::nullopt; // `*` and other languages: the default applies
}

// The weight of ";q=0.8" in thousandths (1000 when absent); nullopt when malformed.
std::optional<int> weight_of(std::string_view parameters) noexcept {
  parameters = trimmed(parameters);
  if (parameters.empty()) {
    return 1000;
  }
  if (parameters.size() < 3 || (parameters[0] != 'q' && parameters[0] != 'Q') || parameters[1] != '=') {
    return std::nullopt;
  }
  auto value = parameters.substr(2);
  if (value.empty() || (value[0] != '0' && value[0] != '1')) {
    return std::nullopt;
  }
  int thousandths = (value[0] - '0') * 1000;
  if (value.size() > 1) {
    if (value[1] != '.' || value.size() > 5) {
      return std::nullopt;
    }
    int scale = 100;
    for (auto digit : value.substr(2)) {
      if (!std::isdigit(static_cast<unsigned char>(digit))) {
        return std::nullopt;
      }
      thousandths += (digit - '0') * scale;
      scale /= 10;
    }
  }
  return thousandths <= 1000 ? std::optional<int>{thousandths} : std::nullopt;
}

} // namespace

language preferred_language(std::string_view accept_language) noexcept {
  language best = language::english;
  int best_weight = 0;
  while (!accept_language.empty()) {
    auto comma = accept_language.find(',');
    auto item = accept_language.substr(0, comma);
    accept_language = comma == std::string_view::npos ? std::string_view{}
                                                      : accept_language.substr(comma + 1);
    auto semicolon = item.find(';');
    auto range = trimmed(item.substr(0, semicolon));
    auto weight = weight_of(semicolon == std::string_view::npos ? std::string_view{}
                                                                : item.substr(semicolon + 1));
    auto candidate = language_of_range(range);
    if (candidate && weight && *weight > best_weight) {
      best = *candidate;
      best_weight = *weight;
    }
  }
  return best;
}

std::string_view language_tag(language chosen) noexcept {
  return chosen == language::chinese ? "zh" : "en";
}

} // namespace settle::net
