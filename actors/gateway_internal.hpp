// Shared between gateway.cpp and transfer_coordinator.cpp: the gateway's state, the
// context of one request, and the helpers that ask entities and send answers.
#pragma once

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
};

using context_pointer = std::shared_ptr<request_context>;

// How long an entity may take to answer before the request is answered `unavailable`.
inline constexpr std::chrono::seconds entity_timeout{10};

// How often a request follows an entity that was passivated under its feet.
inline constexpr int lookup_attempts = 3;

bool is_receiver_down(const caf::error& error);

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

// Looks up the entity's actor and sends it `message`; `on_value` receives the actor
// and its answer, `on_error` the failure. Follows passivated actors to their new
// activation.
template <class Result, class Handle, class OnValue, class OnError, class... Ts>
void ask_entity(gateway_pointer self, const region_actor<Handle>& region, std::string id,
                OnValue on_value, OnError on_error, int attempt, Ts... message) {
  self->request(region, entity_timeout, lookup_atom::value, id)
    .then(
      [=](Handle& actor) {
        self->request(actor, entity_timeout, message...)
          .then([=](Result& result) mutable { on_value(actor, result); },
                [=](caf::error& error) mutable {
                  if (is_receiver_down(error) && attempt + 1 < lookup_attempts) {
                    ask_entity<Result>(self, region, id, on_value, on_error, attempt + 1,
                                       message...);
                    return;
                  }
                  on_error(to_failure(error));
                });
      },
      [=](caf::error& error) mutable { on_error(to_failure(error)); });
}

// Runs a single transfer, a deposit, a withdrawal or a batch.
void run_transfer(gateway_pointer self, const context_pointer& context,
                  const create_transfer_command& command);
void run_external_movement(gateway_pointer self, const context_pointer& context,
                           const external_movement_command& command);
void run_batch(gateway_pointer self, const context_pointer& context,
               const transfer_batch_command& command);

} // namespace settle::gateway_detail
