// The languages the API answers in, and the choice among them that a request's
// Accept-Language header asks for (RFC 9110 §12.5.4: ranges weighted by q).
#pragma once

#include <array>
#include <string_view>

namespace settle::net {

enum class language { english, chinese };

inline constexpr std::array<language, 2> languages{language::english, language::chinese};

// The best supported language of an Accept-Language value; English when the header is
// absent, malformed, or names none of ours. Any `zh` range (zh, zh-CN, zh-Hans…) is
// Chinese, whose catalogue is written in Simplified Chinese.
language preferred_language(std::string_view accept_language) noexcept;

// The language's tag as catalogues and Content-Language name it: "en", "zh".
std::string_view language_tag(language chosen) noexcept;

} // namespace settle::net
