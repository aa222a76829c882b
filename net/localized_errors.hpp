// Error messages in the request's language. The actors write each failure's message in
// English where it arises (with its details), and idempotent replays store that answer;
// the ingress rewrites the messages of an answer just before sending it, so a replay is
// in the language of the request that asks for it. Codes and params never change.
#pragma once

#include "net/language.hpp"

#include <string>

namespace settle::net {

// `body` with every error object's message (the answer's own, and a batch's results')
// in `chosen`'s words. English answers, and bodies without an error, are returned as
// they are.
std::string localize_errors(std::string body, language chosen);

} // namespace settle::net
