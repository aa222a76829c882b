// Shared between gateway.cpp and transfer_coordinator.cpp: the gateway's state, the
// context of one request, and the helpers that ask entities and send answers.
#pragma once

#include "actors/entity_request.hpp"
#include "actors/gateway.hpp"

#include <caf/all.hpp>

#include <chrono>
#include <memory>

namespace settle::gateway_detail {

struct gateway_state {
  gateway_dependencies dependencies;
  std::size_t in_flight = 0;
  static inline const char* name = "gateway";
};

using gateway_pointer = gateway_actor::stateful_pointer<gateway_state>;

struct request_context {
  api_request request;
  bool answer_stored = false; // the idempotency record was committed with the effect
  bool answered = false;      // the reply was sent (a second one is a bug)
};

using context_pointer = std::shared_ptr<request_context>;

// Sends the answer; with an Idempotency-Key it is stored first (unless it was stored
// with the effect) when its status is one that is replayed.
void respond(gateway_pointer self, const context_pointer& context, unsigned status,
             std::string body);
void respond_failure(gateway_pointer self, const context_pointer& context, const failure& reason);

// Adds the idempotency record of this answer to `writes`, when the request has a key.
void attach_answer(const context_pointer& context, persistence::write_set& writes,
                   unsigned status, const std::string& body);

// Commits `writes` (with the answer attached), then answers `status` and `body`.
void commit_and_respond(gateway_pointer self, const context_pointer& context,
                        persistence::write_set writes, unsigned status, std::string body);

// Runs a single transfer, a deposit, a withdrawal or a batch.
void run_transfer(gateway_pointer self, const context_pointer& context,
                  const create_transfer_command& command);
void run_external_movement(gateway_pointer self, const context_pointer& context,
                           const external_movement_command& command);
void run_batch(gateway_pointer self, const context_pointer& context,
               const transfer_batch_command& command);

} // namespace settle::gateway_detail
