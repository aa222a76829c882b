// Texts that change a statement's meaning if spliced into SQL rather than bound: quotes,
// a backslash (which escapes a quote when standard_conforming_strings is off), SQL that
// would run, parameter and dollar-quote markers, LIKE's wildcards, the array syntax's own
// characters, and non-ASCII.
#pragma once

#include <string>
#include <vector>

namespace settle::testing {

inline const std::vector<std::string> hostile_values{
  "O'Brien", "\\'); SELECT pg_sleep(5); --", "$1 $$", "Zo\xc3\xab \xe6\x94\xaf\xe4\xbb\x98",
  "100%_off!", "back\\slash", "{\"a\",NULL}", "NULL"};

} // namespace settle::testing
