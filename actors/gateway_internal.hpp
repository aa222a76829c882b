// Shared between gateway.cpp and transfer_coordinator.cpp: the gateway's state, the
// context of one request, and the helpers that ask entities and send answers.
#pragma once

#include "actors/entity_request.hpp"
#include "actors/gateway.hpp"

#include <caf/all.hpp>

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>

namespace settle::gateway_detail {

struct gateway_state {
  gateway_dependencies dependencies;
  std::size_t in_flight = 0;
  // Creations of webhook endpoints, per tenant, the first one running: one at a time, so
  // that the tenant's count of endpoints each checks is the count committed before it.
  std::unordered_map<std::string, std::deque<std::function<void()>>> webhook_creations;
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

// The page of a list a requester asked for: its own tenant's, or every tenant's (admin).
inline persistence::list_query make_query(const requester& who, const list_parameters& page,
                                          std::string filter = {}, std::string status = {}) {
  return persistence::list_query{who.admin ? tenant_name{} : who.tenant, page.starting_after,
                                 page.limit, std::move(filter), std::move(status)};
}

// Answers a page of a list, or 422 when `starting_after` names nothing in it.
template <class Record, class Render>
void respond_page(gateway_pointer self, const context_pointer& context,
                  const persistence::list_page<Record>& page, Render render) {
  if (page.cursor_unknown) {
    respond_failure(self, context,
                    make_failure(settle_errc::invalid_parameter,
                                 "starting_after names no object of this list",
                                 "starting_after"));
    return;
  }
  respond(self, context, 200, render(page));
}

// Reads a list from the store and answers it.
template <class Record, class Tag, class Render>
void list_from_store(gateway_pointer self, const context_pointer& context,
                     persistence::list_query query, Render render) {
  self->request(self->state.dependencies.reader, entity_timeout, list_atom::value, Tag{},
                std::move(query))
    .then(
      [self, context, render](persistence::list_page<Record>& page) {
        respond_page(self, context, page, render);
      },
      [self, context](caf::error& error) { respond_failure(self, context, to_failure(error)); });
}

inline auto failure_responder(gateway_pointer self, const context_pointer& context) {
  return [self, context](const failure& reason) { respond_failure(self, context, reason); };
}

inline auto renderer_of(gateway_pointer self) {
  return self->state.dependencies.renderer;
}

// Asks an entity and answers 200 with `render(renderer, result)`, or the failure.
template <class Result, class Handle, class Render, class... Ts>
void answer_from_entity(gateway_pointer self, const context_pointer& context,
                        const region_actor<Handle>& region, const entity_id<Handle>& id,
                        Render render, Ts... message) {
  auto renderer = renderer_of(self);
  ask_entity<Result>(
    self, region, id,
    [self, context, renderer, render](const Handle&, const Result& result,
                                      const persistence::shard_fence&) {
      respond(self, context, 200, render(*renderer, result));
    },
    failure_responder(self, context), 0, message...);
}

// The webhook endpoints' commands (gateway_webhooks.cpp).
void execute(gateway_pointer self, const context_pointer& context,
             const create_webhook_endpoint_command& command);
void execute(gateway_pointer self, const context_pointer& context,
             const get_webhook_endpoint_command& command);
void execute(gateway_pointer self, const context_pointer& context,
             const list_webhook_endpoints_command& command);
void execute(gateway_pointer self, const context_pointer& context,
             const update_webhook_endpoint_command& command);
void execute(gateway_pointer self, const context_pointer& context,
             const delete_webhook_endpoint_command& command);
void execute(gateway_pointer self, const context_pointer& context,
             const list_webhook_deliveries_command& command);
void execute(gateway_pointer self, const context_pointer& context,
             const retry_webhook_delivery_command& command);

} // namespace settle::gateway_detail
