// The gateway: idempotency, dispatch of each command, and the answer.
#include "actors/gateway.hpp"

#include "actors/change_events.hpp"
#include "actors/gateway_internal.hpp"
#include "domain/clock.hpp"
#include "domain/currency.hpp"
#include "domain/ids.hpp"

namespace settle {
namespace gateway_detail {
namespace {

bool is_replayed_status(unsigned status) {
  return (status >= 200 && status < 300) || status == 402 || status == 404 || status == 409;
}

persistence::idempotency_record answer_record(const context_pointer& context, unsigned status,
                                              const std::string& body) {
  const auto& claim = *context->request.idempotency;
  return persistence::idempotency_record{context->request.who.tenant, claim.key,
                                         claim.fingerprint, static_cast<std::int64_t>(status),
                                         body, now_milliseconds()};
}

// The record that ends a claim without storing an answer (status 0).
persistence::idempotency_record forgotten(persistence::idempotency_record record) {
  record.status = 0;
  record.body.clear();
  return record;
}

// Every path of a request ends here, once: the place it held in the gateway is given
// back with its answer. A second answer would be a bug; it is dropped, so that it can
// neither reach the client nor give back a place twice.
void finish(gateway_pointer self, const context_pointer& context, api_response answer) {
  if (context->answered) {
    return;
  }
  context->answered = true;
  --self->state.in_flight;
  context->request.reply(std::move(answer));
}

void reply(gateway_pointer self, const context_pointer& context, unsigned status,
           std::string body) {
  finish(self, context, api_response{status, std::move(body), false});
}

void release_claim(gateway_pointer self, persistence::idempotency_record record) {
  self->anon_send(self->state.dependencies.idempotency, release_atom::value, std::move(record));
}

} // namespace


void attach_answer(const context_pointer& context, persistence::write_set& writes,
                   unsigned status, const std::string& body) {
  if (context->request.idempotency) {
    writes.idempotency_records.push_back(answer_record(context, status, body));
  }
}

void respond(gateway_pointer self, const context_pointer& context, unsigned status,
             std::string body) {
  if (!context->request.idempotency) {
    reply(self, context, status, std::move(body));
    return;
  }
  auto record = answer_record(context, status, body);
  if (context->answer_stored) {
    release_claim(self, std::move(record));
    reply(self, context, status, std::move(body));
    return;
  }
  if (!is_replayed_status(status)) {
    release_claim(self, forgotten(record));
    reply(self, context, status, std::move(body));
    return;
  }
  persistence::write_set writes;
  writes.deadline = context->request.who.deadline;
  writes.idempotency_records.push_back(record);
  self->request(self->state.dependencies.writer, caf::infinite, commit_atom::value,
                std::move(writes))
    .then(
      [self, context, record, status, body](bool) mutable {
        release_claim(self, std::move(record));
        reply(self, context, status, std::move(body));
      },
      [self, context, record](caf::error& error) {
        release_claim(self, forgotten(record));
        auto reason = to_failure(error);
        reply(self, context, self->state.dependencies.renderer->status_of(reason.code),
              self->state.dependencies.renderer->error(reason));
      });
}

void respond_failure(gateway_pointer self, const context_pointer& context,
                     const failure& reason) {
  const auto& renderer = *self->state.dependencies.renderer;
  respond(self, context, renderer.status_of(reason.code), renderer.error(reason));
}

void commit_and_respond(gateway_pointer self, const context_pointer& context,
                        persistence::write_set writes, unsigned status, std::string body) {
  attach_answer(context, writes, status, body);
  writes.deadline = context->request.who.deadline;
  self->request(self->state.dependencies.writer, caf::infinite, commit_atom::value,
                std::move(writes))
    .then(
      [self, context, status, body](bool) mutable {
        context->answer_stored = true;
        respond(self, context, status, std::move(body));
      },
      [self, context](caf::error& error) { respond_failure(self, context, to_failure(error)); });
}

namespace {

failure with_param(failure reason, settle_errc code, const char* param) {
  if (reason.code == code) {
    reason.param = param;
  }
  return reason;
}

std::string render_user(const response_renderer& renderer, const user_record& user) {
  return renderer.user(user);
}

std::string render_deleted_user(const response_renderer& renderer, const user_record& user) {
  return renderer.deleted_user(user);
}

std::string render_account(const response_renderer& renderer, const account_record& account) {
  return renderer.account(account);
}

std::string render_order(const response_renderer& renderer, const order_record& order) {
  return renderer.order(order);
}

void execute(gateway_pointer self, const context_pointer& context,
             const create_user_command& command) {
  const auto& who = context->request.who;
  user_record user;
  user.id = user_id{generate_id("usr_")};
  user.tenant = who.tenant;
  user.name = command.name;
  user.email = command.email;
  user.created_at = now_milliseconds();
  auto body = renderer_of(self)->user(user);
  persistence::write_set writes;
  writes.users_inserted.push_back(user);
  writes.events.push_back(
    persistence::make_event("user.created", {user.tenant.value}, {user.id.value}, body));
  commit_and_respond(self, context, std::move(writes), 201, std::move(body));
}

void execute(gateway_pointer self, const context_pointer& context,
             const get_user_command& command) {
  answer_from_entity<user_record>(self, context, self->state.dependencies.users, command.id,
                                  render_user, caf::get_atom::value, context->request.who);
}

void execute(gateway_pointer self, const context_pointer& context,
             const list_users_command& command) {
  auto renderer = renderer_of(self);
  list_from_store<user_record, user_tag_atom>(
    self, context, make_query(context->request.who, command.page),
    [renderer](const persistence::list_page<user_record>& page) { return renderer->users(page); });
}

void execute(gateway_pointer self, const context_pointer& context,
             const update_user_command& command) {
  answer_from_entity<user_record>(self, context, self->state.dependencies.users, command.id,
                                  render_user, update_atom::value, context->request.who,
                                  command.changes);
}

void execute(gateway_pointer self, const context_pointer& context,
             const delete_user_command& command) {
  answer_from_entity<user_record>(self, context, self->state.dependencies.users, command.id,
                                  render_deleted_user, delete_atom::value, context->request.who);
}

void execute(gateway_pointer self, const context_pointer& context,
             const create_account_command& command) {
  auto renderer = renderer_of(self);
  account_record account;
  account.id = account_id{generate_id("acc_")};
  account.user_id = command.user_id;
  account.currency = command.currency;
  account.overdraft_limit = command.overdraft_limit;
  account.created_at = now_milliseconds();
  auto body = renderer->account(account);
  persistence::write_set writes;
  attach_answer(context, writes, 201, body);
  ask_entity<account_record>(
    self, self->state.dependencies.users, command.user_id,
    [self, context, body](const user_actor&, const account_record&,
                          const persistence::shard_fence&) {
      context->answer_stored = true;
      respond(self, context, 201, body);
    },
    [self, context](const failure& reason) {
      respond_failure(self, context, with_param(reason, settle_errc::not_found, "user_id"));
    },
    0, open_atom::value, context->request.who, account, std::move(writes));
}

void execute(gateway_pointer self, const context_pointer& context,
             const get_account_command& command) {
  answer_from_entity<account_record>(self, context, self->state.dependencies.accounts, command.id,
                                     render_account, caf::get_atom::value, context->request.who);
}

void execute(gateway_pointer self, const context_pointer& context,
             const list_accounts_command& command) {
  auto renderer = renderer_of(self);
  auto query = make_query(context->request.who, command.page, command.user_id.value);
  auto list = [self, context, renderer, query] {
    list_from_store<account_record, account_tag_atom>(
      self, context, query, [renderer](const persistence::list_page<account_record>& page) {
        return renderer->accounts(page);
      });
  };
  if (command.user_id.empty()) {
    list();
    return;
  }
  // Filtering by a user the requester cannot see is 404, as reading it would be.
  ask_entity<user_record>(
    self, self->state.dependencies.users, command.user_id,
    [list](const user_actor&, const user_record&, const persistence::shard_fence&) { list(); },
    [self, context](const failure& reason) {
      respond_failure(self, context, with_param(reason, settle_errc::not_found, "user_id"));
    },
    0, caf::get_atom::value, context->request.who);
}

void execute(gateway_pointer self, const context_pointer& context,
             const close_account_command& command) {
  answer_from_entity<account_record>(self, context, self->state.dependencies.accounts, command.id,
                                     render_account, close_atom::value, context->request.who);
}

// Runs `then` once the requester is known to see the account, else answers 404.
template <class Then>
void with_visible_account(gateway_pointer self, const context_pointer& context,
                          const account_id& id, const char* param, Then then) {
  ask_entity<account_record>(
    self, self->state.dependencies.accounts, id,
    [then](const account_actor&, const account_record&, const persistence::shard_fence&) {
      then();
    },
    [self, context, param](const failure& reason) {
      respond_failure(self, context, with_param(reason, settle_errc::not_found, param));
    },
    0, caf::get_atom::value, context->request.who);
}

void execute(gateway_pointer self, const context_pointer& context,
             const list_entries_command& command) {
  auto renderer = renderer_of(self);
  auto query = make_query(context->request.who, command.page, command.account_id.value);
  with_visible_account(self, context, command.account_id, "", [self, context, renderer, query] {
    list_from_store<entry_record, entry_tag_atom>(
      self, context, query,
      [renderer](const persistence::list_page<entry_record>& page) {
        return renderer->entries(page);
      });
  });
}

void execute(gateway_pointer self, const context_pointer& context,
             const external_movement_command& command) {
  run_external_movement(self, context, command);
}

void execute(gateway_pointer self, const context_pointer& context,
             const create_transfer_command& command) {
  run_transfer(self, context, command);
}

void execute(gateway_pointer self, const context_pointer& context,
             const get_transfer_command& command) {
  auto renderer = renderer_of(self);
  self->request(self->state.dependencies.reader, entity_timeout, load_atom::value,
                transfer_tag_atom::value, command.id.value)
    .then(
      [self, context, renderer](transfer_record& transfer) {
        const auto& who = context->request.who;
        if (!who.may_see(transfer.from_tenant) && !who.may_see(transfer.to_tenant)) {
          respond_failure(self, context, make_failure(settle_errc::not_found, "no such transfer"));
          return;
        }
        respond(self, context, 200, renderer->transfer(transfer));
      },
      [self, context](caf::error& error) { respond_failure(self, context, to_failure(error)); });
}

void execute(gateway_pointer self, const context_pointer& context,
             const list_transfers_command& command) {
  auto renderer = renderer_of(self);
  auto query = make_query(context->request.who, command.page, command.account.value);
  auto list = [self, context, renderer, query] {
    list_from_store<transfer_record, transfer_tag_atom>(
      self, context, query, [renderer](const persistence::list_page<transfer_record>& page) {
        return renderer->transfers(page);
      });
  };
  if (command.account.empty()) {
    list();
    return;
  }
  with_visible_account(self, context, command.account, "account", list);
}

void execute(gateway_pointer self, const context_pointer& context,
             const transfer_batch_command& command) {
  run_batch(self, context, command);
}

void execute(gateway_pointer self, const context_pointer& context, const audit_command&) {
  if (!context->request.who.admin) {
    respond_failure(self, context,
                    make_failure(settle_errc::forbidden, "this endpoint needs an admin key"));
    return;
  }
  auto renderer = renderer_of(self);
  self->request(self->state.dependencies.reader, std::chrono::seconds{120}, audit_atom::value)
    .then(
      [self, context, renderer](persistence::audit_report& report) {
        respond(self, context, 200, renderer->audit(report));
      },
      [self, context](caf::error& error) { respond_failure(self, context, to_failure(error)); });
}

void execute(gateway_pointer self, const context_pointer& context, const cluster_command&) {
  if (!context->request.who.admin) {
    respond_failure(self, context,
                    make_failure(settle_errc::forbidden, "this endpoint needs an admin key"));
    return;
  }
  const auto& shards = *self->state.dependencies.shards;
  respond(self, context, 200,
          self->state.dependencies.renderer->cluster(shards.self(), shards.shard_count(),
                                                     shards.members()));
}

// Ready when the node owns shards and the database answers a query.
void execute(gateway_pointer self, const context_pointer& context, const readiness_command&) {
  auto renderer = renderer_of(self);
  if (self->state.dependencies.shards->owned_shards() == 0) {
    respond(self, context, 503, renderer->readiness(false));
    return;
  }
  self->request(self->state.dependencies.reader, std::chrono::seconds{5}, count_atom::value,
                std::string{})
    .then([self, context, renderer](std::int64_t) { respond(self, context, 200, renderer->readiness(true)); },
          [self, context, renderer](caf::error&) {
            respond(self, context, 503, renderer->readiness(false));
          });
}

// The payer must be the requester's own account; the payee may be anyone's but a world
// account (admins only), and is only checked to exist. Both must hold the order's currency.
void execute(gateway_pointer self, const context_pointer& context,
             const create_order_command& command) {
  auto on_payer = [self, context, command](const account_actor&, const account_record& payer,
                                           const persistence::shard_fence&) {
    auto on_payee = [self, context, command, payer](const account_actor&,
                                                    const account_record& payee,
                                                    const persistence::shard_fence&) {
      if (payee.tenant == system_tenant && !context->request.who.admin) {
        respond_failure(self, context,
                        make_failure(settle_errc::not_found, "no such account", "payee_account"));
        return;
      }
      if (payer.currency != command.currency || payee.currency != command.currency) {
        respond_failure(self, context,
                        make_failure(settle_errc::currency_mismatch,
                                     "both accounts must hold the order's currency", "currency"));
        return;
      }
      order_record order;
      order.id = order_id{generate_id("ord_")};
      order.tenant = context->request.who.tenant;
      order.payer_account = command.payer_account;
      order.payee_account = command.payee_account;
      order.payee_tenant = payee.tenant;
      order.amount = command.amount;
      order.currency = command.currency;
      order.capture = command.capture;
      order.description = command.description;
      order.authorization_ttl_seconds = command.authorization_ttl_seconds;
      order.created_at = now_milliseconds();
      order.updated_at = order.created_at;
      auto body = renderer_of(self)->order(order);
      persistence::write_set writes;
      writes.orders_inserted.push_back(order);
      writes.events.push_back(order_event(*renderer_of(self), order));
      commit_and_respond(self, context, std::move(writes), 201, std::move(body));
    };
    ask_entity<account_record>(
      self, self->state.dependencies.accounts, command.payee_account, on_payee,
      [self, context](const failure& reason) {
        respond_failure(self, context, with_param(reason, settle_errc::not_found, "payee_account"));
      },
      0, describe_atom::value);
  };
  ask_entity<account_record>(
    self, self->state.dependencies.accounts, command.payer_account, on_payer,
    [self, context](const failure& reason) {
      respond_failure(self, context, with_param(reason, settle_errc::not_found, "payer_account"));
    },
    0, caf::get_atom::value, context->request.who);
}

void execute(gateway_pointer self, const context_pointer& context,
             const get_order_command& command) {
  answer_from_entity<order_record>(self, context, self->state.dependencies.orders, command.id,
                                   render_order, caf::get_atom::value, context->request.who);
}

void execute(gateway_pointer self, const context_pointer& context,
             const update_order_command& command) {
  answer_from_entity<order_record>(self, context, self->state.dependencies.orders, command.id,
                                   render_order, update_atom::value, context->request.who,
                                   command.description);
}

void execute(gateway_pointer self, const context_pointer& context,
             const list_orders_command& command) {
  auto renderer = renderer_of(self);
  auto query =
    make_query(context->request.who, command.page, command.account.value, command.status);
  auto list = [self, context, renderer, query] {
    list_from_store<order_record, order_tag_atom>(
      self, context, query, [renderer](const persistence::list_page<order_record>& page) {
        return renderer->orders(page);
      });
  };
  if (command.account.empty()) {
    list();
    return;
  }
  with_visible_account(self, context, command.account, "account", list);
}

// The order actor renders the answer itself, and stores it with the action's effect.
void execute(gateway_pointer self, const context_pointer& context,
             const order_action_command& command) {
  order_request request;
  request.action = command.action;
  request.who = context->request.who;
  request.has_amount = command.has_amount;
  request.amount = command.amount;
  if (const auto& claim = context->request.idempotency) {
    request.has_claim = true;
    request.idempotency_key = claim->key;
    request.fingerprint = claim->fingerprint;
  }
  ask_entity<order_outcome>(
    self, self->state.dependencies.orders, command.id,
    [self, context](const order_actor&, const order_outcome& outcome,
                    const persistence::shard_fence&) {
      context->answer_stored = outcome.stored;
      respond(self, context, static_cast<unsigned>(outcome.status), outcome.body);
    },
    failure_responder(self, context), 0, act_atom::value, std::move(request));
}

void execute(gateway_pointer self, const context_pointer& context,
             const list_events_command& command) {
  auto renderer = renderer_of(self);
  const auto& who = context->request.who;
  persistence::event_query query{who.admin ? tenant_name{} : who.tenant, command.after,
                                 command.limit};
  self->request(self->state.dependencies.reader, entity_timeout, list_atom::value,
                event_tag_atom::value, query)
    .then(
      [self, context, renderer](persistence::event_page& page) {
        respond(self, context, 200, renderer->events(page.events, page.has_more));
      },
      [self, context](caf::error& error) { respond_failure(self, context, to_failure(error)); });
}

void dispatch(gateway_pointer self, const context_pointer& context) {
  std::visit([&](const auto& command) { execute(self, context, command); },
             context->request.command);
}

// Claims the Idempotency-Key, then dispatches; a replay is answered from the store.
void claim_and_dispatch(gateway_pointer self, const context_pointer& context) {
  const auto& claim = *context->request.idempotency;
  // No timeout: the guard is on this node (see timeout_for in entity_request.hpp).
  self->request(self->state.dependencies.idempotency, caf::infinite, claim_atom::value,
                context->request.who.tenant, claim.key, claim.fingerprint)
    .then(
      [self, context](persistence::idempotency_record& stored) {
        if (stored.status == 0) {
          dispatch(self, context);
          return;
        }
        finish(self, context,
               api_response{static_cast<unsigned>(stored.status), std::move(stored.body), true});
      },
      [self, context](caf::error& error) {
        auto reason = to_failure(error);
        const auto& renderer = *self->state.dependencies.renderer;
        reply(self, context, renderer.status_of(reason.code), renderer.error(reason));
      });
}

gateway_actor::behavior_type gateway(gateway_pointer self, gateway_dependencies dependencies) {
  self->state.dependencies = std::move(dependencies);
  return {
    [self](execute_atom, api_request& request) {
      auto& state = self->state;
      if (state.in_flight >= state.dependencies.in_flight_limit) {
        auto reason = make_failure(settle_errc::unavailable, "too many requests in flight");
        request.reply(api_response{state.dependencies.renderer->status_of(reason.code),
                                   state.dependencies.renderer->error(reason), false});
        return;
      }
      ++state.in_flight;
      auto context = std::make_shared<request_context>(request_context{std::move(request)});
      if (context->request.idempotency) {
        claim_and_dispatch(self, context);
      } else {
        dispatch(self, context);
      }
    },
  };
}

} // namespace
} // namespace gateway_detail

gateway_actor spawn_gateway(caf::actor_system& system, gateway_dependencies dependencies) {
  return system.spawn(gateway_detail::gateway, std::move(dependencies));
}

} // namespace settle
