// Asking an entity's actor through its shard region, from any actor: look the actor up,
// send the message, and follow an actor that was passivated under the request to its
// new activation. `then` keeps the asking actor responsive meanwhile; `await` makes it
// take no other message until the answer (an order actor serializes its steps so).
// The answer comes with the lease (shard and epoch) the actor works under, which a
// commit that follows must carry (persistence::shard_fence).
// Include only from .cpp files: it pulls in CAF.
#pragma once

#include "actors/interfaces.hpp"

#include <caf/all.hpp>

#include <chrono>
#include <memory>
#include <tuple>

namespace settle {

// How long an entity on another node may take to answer before the request is answered
// `unavailable`: a dead peer never answers, so every remote request has a timeout.
inline constexpr std::chrono::seconds entity_timeout{10};

// A request to an actor of this node needs no timeout: it answers, or its exit answers
// for it (request_receiver_down). Each pending timeout costs CAF 0.17's clock a scan of
// the asking actor's timeouts when the answer comes, which makes batches of thousands of
// legs quadratic, and every pending timeout holds memory until it fires
// (docs/BENCHMARKS.md, "Measurements behind the code").
// (A database that hangs holds the writer too; clients get the ingress's timeout.)
template <class Self, class Handle>
caf::duration timeout_for(Self self, const Handle& actor) {
  return actor.node() == self->node() ? caf::duration{caf::infinite}
                                      : caf::duration{entity_timeout};
}

// How often a request follows an entity that was passivated under its feet.
inline constexpr int lookup_attempts = 3;

enum class reply_order { then, await };

inline bool is_receiver_down(const caf::error& error) {
  return error.category() == caf::atom("system")
         && static_cast<caf::sec>(error.code()) == caf::sec::request_receiver_down;
}

namespace detail {

template <reply_order Order, class Request, class OnValue, class OnError>
void on_reply(Request&& request, OnValue on_value, OnError on_error) {
  if constexpr (Order == reply_order::then) {
    std::forward<Request>(request).then(std::move(on_value), std::move(on_error));
  } else {
    std::forward<Request>(request).await(std::move(on_value), std::move(on_error));
  }
}

} // namespace detail

namespace detail {

// The message of an ask, held once for all its attempts: the continuations share it
// instead of copying it (a batch's legs at one account are a vector of transfers).
template <class... Ts>
using shared_message = std::shared_ptr<const std::tuple<Ts...>>;

template <class Result, reply_order Order, class Self, class Handle, class OnValue,
          class OnError, class... Ts>
void ask_entity_attempt(Self self, const region_actor<Handle>& region, const entity_id<Handle>& id,
                        OnValue on_value, OnError on_error, int attempt,
                        shared_message<Ts...> message) {
  on_reply<Order>(
    // The region is on this node; it gives a lookup it passes to another node a timeout.
    self->request(region, caf::infinite, lookup_atom::value, id.value),
    [=](Handle& actor, persistence::shard_fence& fence) {
      auto request = std::apply(
        [&](const Ts&... parts) { return self->request(actor, timeout_for(self, actor), parts...); },
        *message);
      on_reply<Order>(
        std::move(request),
        [=](Result& result) mutable { on_value(actor, result, fence); },
        [=](caf::error& error) mutable {
          if (is_receiver_down(error) && attempt + 1 < lookup_attempts) {
            ask_entity_attempt<Result, Order>(self, region, id, on_value, on_error, attempt + 1,
                                              message);
            return;
          }
          on_error(to_failure(error));
        });
    },
    [=](caf::error& error) mutable { on_error(to_failure(error)); });
}

} // namespace detail

// `on_value(actor, result, fence)` or `on_error(failure)`; `message...` is sent to the actor.
template <class Result, reply_order Order = reply_order::then, class Self, class Handle,
          class OnValue, class OnError, class... Ts>
void ask_entity(Self self, const region_actor<Handle>& region, const entity_id<Handle>& id,
                OnValue on_value, OnError on_error, int attempt, Ts... message) {
  auto shared = std::make_shared<const std::tuple<Ts...>>(std::move(message)...);
  detail::ask_entity_attempt<Result, Order>(self, region, id, std::move(on_value),
                                            std::move(on_error), attempt, std::move(shared));
}

// What a commit must carry for a leg reserved at `actor` under `fence`: the fence, and a
// claim when the actor lives on another node (which may then settle the leg on its own
// if this node never tells it the outcome).
template <class Self, class Handle>
void guard_leg(Self self, persistence::write_set& writes, const Handle& actor,
               const persistence::shard_fence& fence, const std::string& leg_id,
               const account_id& account) {
  writes.fences.push_back(fence);
  if (actor.node() != self->node()) {
    writes.leg_claims.push_back({leg_id, account});
  }
}

} // namespace settle
