// Appending text with some characters escaped, the one loop behind SQL literals, PostgreSQL
// array elements and JSON strings. Runs without a special character are copied whole
// (with a per-character push_back, the writer's quoting was a visible part of a commit).
#pragma once

#include <algorithm>
#include <string>
#include <string_view>

namespace settle {

// Appends `text` to `out`; each character for which is_special(c) holds is written by
// escape(out, c) instead.
template <class IsSpecial, class Escape>
void append_escaped(std::string& out, std::string_view text, IsSpecial is_special, Escape escape) {
  for (auto special = std::find_if(text.begin(), text.end(), is_special); special != text.end();
       special = std::find_if(text.begin(), text.end(), is_special)) {
    auto run = static_cast<std::size_t>(special - text.begin());
    out.append(text.substr(0, run));
    escape(out, *special);
    text.remove_prefix(run + 1);
  }
  out.append(text);
}

} // namespace settle
