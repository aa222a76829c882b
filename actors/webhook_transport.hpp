// What the webhook actors need from the network, implemented by the ingress's side
// (net/webhook_sender): the actors stay free of HTTP, TLS and DNS, as they stay free of
// JSON through response_renderer. Both calls return at once and call `done` exactly once,
// on the transport's own thread: `done` must only send a message to an actor.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace settle {

// One event to POST: the transport signs it when it sends it (Settle-Signature, with
// the time of sending).
struct webhook_post {
  std::string url;
  std::string body;
  std::int64_t event_seq = 0;
  std::string secret;
};

struct webhook_outcome {
  unsigned status_code = 0; // 0: no HTTP answer; `error` says why
  std::string error;
};

class webhook_transport {
public:
  virtual ~webhook_transport() = default;
  // nullopt when every address the URL's host resolves to may receive webhooks, else
  // a sentence saying why not.
  virtual void check_address(std::string url,
                             std::function<void(std::optional<std::string>)> done) = 0;
  virtual void post(webhook_post request, std::function<void(webhook_outcome)> done) = 0;
};

} // namespace settle
