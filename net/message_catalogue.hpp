// The catalogue of each language (web/i18n/<tag>.json, compiled in): the sentence of
// every error code, and the dashboard's words, which it loads from GET /i18n/<tag>.json.
// One file per language serves both, so a translation is made in one place.
#pragma once

#include "net/language.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace settle::net {

// The catalogue's JSON text, as served to the dashboard.
std::string_view catalogue_text(language chosen) noexcept;

// The catalogue's sentence for an API error code, or nullopt when it has none.
std::optional<std::string_view> error_sentence(language chosen, std::string_view code);

// The message of an error in `chosen`: its code's sentence, then the parameter it
// concerns (when there is one) in the catalogue's words. The code's sentence must exist.
std::string error_message(language chosen, std::string_view code, std::string_view param);

} // namespace settle::net
