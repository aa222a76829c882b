// Only unreserved characters pass unencoded: the ids the server makes never need
// encoding, so this costs nothing for them and protects against ids that are not.
#include "client/request_targets.hpp"

#include <cctype>

namespace settle::client {

std::string percent_encode(std::string_view text) {
  static constexpr char digits[] = "0123456789ABCDEF";
  std::string encoded;
  encoded.reserve(text.size());
  for (unsigned char character : text) {
    if (std::isalnum(character) || character == '-' || character == '_' || character == '.'
        || character == '~') {
      encoded.push_back(static_cast<char>(character));
    } else {
      encoded.push_back('%');
      encoded.push_back(digits[character >> 4]);
      encoded.push_back(digits[character & 0xF]);
    }
  }
  return encoded;
}

std::string resource_target(std::string_view collection, std::string_view id, std::string_view suffix) {
  std::string target = "/v1/";
  target.append(collection).append("/").append(percent_encode(id)).append(suffix);
  return target;
}

std::string with_query(std::string path, const std::vector<std::pair<std::string, std::string>>& parameters) {
  char separator = '?';
  for (const auto& [name, value] : parameters) {
    path.push_back(separator);
    path.append(name).append("=").append(percent_encode(value));
    separator = '&';
  }
  return path;
}

std::vector<std::pair<std::string, std::string>> list_parameters(const list_options& options) {
  std::vector<std::pair<std::string, std::string>> parameters;
  if (options.limit) {
    parameters.emplace_back("limit", std::to_string(*options.limit));
  }
  if (options.starting_after) {
    parameters.emplace_back("starting_after", *options.starting_after);
  }
  return parameters;
}

} // namespace settle::client
