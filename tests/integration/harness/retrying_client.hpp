// A client of a cluster that behaves as the contract asks of clients: a request that meets
// `503 unavailable` (a shard in handover), a node that cannot be reached, or
// `409 idempotency_key_in_use` is sent again, with the same Idempotency-Key, to the next
// node, until a definitive answer comes or the client gives up. Everything it met on the
// way is counted, so that tests can say how much retrying a failover cost.
#pragma once

#include "tests/integration/harness/api_client.hpp"

#include <boost/json/value.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace settle::integration {

struct retry_policy {
  // Bounds one attempt: a paused node must not hold a request for long.
  std::chrono::milliseconds attempt_timeout{5'000};
  // After this, the request is reported as unanswered.
  std::chrono::milliseconds give_up_after{60'000};
  // The longest pause before a retry, whatever Retry-After asks.
  std::chrono::milliseconds longest_pause{1'000};
};

struct retried_answer {
  // The definitive answer; none when the client gave up.
  std::optional<http_response> response;
  std::size_t attempts = 0;
  std::size_t unavailable_answers = 0; // 503, and 502 or 504 from a front
  std::size_t refused_connections = 0; // the node was not there: nothing was sent
  std::size_t lost_answers = 0; // sent, but the connection ended or timed out without an answer
  std::size_t keys_in_use = 0;  // 409 idempotency_key_in_use
  // From the first attempt to the definitive answer.
  std::chrono::steady_clock::duration elapsed{};
  std::string last_failure;
  // 503 answers without the contract's `unavailable` code or without Retry-After.
  std::vector<std::string> contract_violations;
};

class retrying_client {
public:
  // One kept-alive connection per port: the nodes and, if any, a front such as nginx.
  retrying_client(const std::vector<std::uint16_t>& ports, const std::string& key,
                  retry_policy policy = {});

  // The first attempt goes to ports[first % ports.size()], each retry to the next port.
  retried_answer post(std::size_t first, const std::string& target, const boost::json::value& body,
                      const std::string& idempotency_key);
  retried_answer get(std::size_t first, const std::string& target);

private:
  retried_answer send(std::size_t first, const std::string& method, const std::string& target,
                      const std::string& body, const header_list& headers);

  retry_policy policy_;
  std::vector<std::unique_ptr<api_client>> clients_;
};

} // namespace settle::integration
