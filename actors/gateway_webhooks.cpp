// The gateway's webhook endpoint commands. Creating one checks its URL's addresses and
// the tenant's count of endpoints (one creation per tenant at a time on a node), and
// starts its cursor at the log's newest event (no history is replayed); everything else
// is asked of the endpoint's actor, wherever its shard lives, except the lists, read from
// the store.
#include "actors/gateway_internal.hpp"

#include "domain/clock.hpp"

namespace settle::gateway_detail {
namespace {

bool webhooks_available(gateway_pointer self, const context_pointer& context) {
  if (self->state.dependencies.webhooks) {
    return true;
  }
  respond_failure(self, context,
                  make_failure(settle_errc::unavailable, "this node sends no webhooks"));
  return false;
}

std::string render_endpoint(const response_renderer& renderer,
                            const webhook_endpoint_record& endpoint) {
  return renderer.webhook_endpoint(endpoint, false);
}

std::string render_deleted_endpoint(const response_renderer& renderer,
                                    const webhook_endpoint_record& endpoint) {
  return renderer.deleted_webhook_endpoint(endpoint);
}

std::string render_delivery(const response_renderer& renderer,
                            const webhook_delivery_record& delivery) {
  return renderer.webhook_delivery(delivery);
}

auto error_responder(gateway_pointer self, const context_pointer& context) {
  return [self, context](caf::error& error) { respond_failure(self, context, to_failure(error)); };
}

void create_from(gateway_pointer self, const context_pointer& context,
                 const create_webhook_endpoint_command& command, std::int64_t newest_seq) {
  webhook_endpoint_record endpoint;
  endpoint.id = webhook_endpoint_id{generate_id("whe_")};
  endpoint.tenant = context->request.who.tenant;
  endpoint.url = command.url;
  endpoint.events = command.events;
  endpoint.description = command.description;
  endpoint.secret = command.secret;
  endpoint.cursor = newest_seq;
  endpoint.created_at = now_milliseconds();
  auto body = renderer_of(self)->webhook_endpoint(endpoint, true);
  persistence::write_set writes;
  writes.webhook_endpoints_inserted.push_back(std::move(endpoint));
  commit_and_respond(self, context, std::move(writes), 201, std::move(body));
}

// Within the tenant's count, the endpoint starts after the log's newest event.
void create_within_limit(gateway_pointer self, const context_pointer& context,
                         const create_webhook_endpoint_command& command) {
  const auto& reader = self->state.dependencies.reader;
  self->request(reader, entity_timeout, count_atom::value, webhook_tag_atom::value,
                context->request.who.tenant)
    .then(
      [self, context, command, reader](std::int64_t endpoints) {
        if (endpoints >= maximum_webhook_endpoints) {
          respond_failure(self, context,
                          make_failure(settle_errc::invalid_state,
                                       "a tenant has at most "
                                         + std::to_string(maximum_webhook_endpoints)
                                         + " webhook endpoints: delete one first"));
          return;
        }
        self->request(reader, entity_timeout, load_atom::value, event_tag_atom::value)
          .then([self, context, command](
                  std::int64_t newest_seq) { create_from(self, context, command, newest_seq); },
                error_responder(self, context));
      },
      error_responder(self, context));
}

} // namespace

void execute(gateway_pointer self, const context_pointer& context,
             const create_webhook_endpoint_command& command) {
  if (!webhooks_available(self, context)) {
    return;
  }
  auto tenant = context->request.who.tenant.value;
  // The creation ends with its answer, whichever it is: then the tenant's next one runs.
  auto reply = std::move(context->request.reply);
  context->request.reply = [self, tenant, reply = std::move(reply)](api_response answer) {
    reply(std::move(answer));
    auto& waiting = self->state.webhook_creations[tenant];
    waiting.pop_front();
    if (waiting.empty()) {
      self->state.webhook_creations.erase(tenant);
    } else {
      auto next = waiting.front(); // a copy: running it may change the map
      next();
    }
  };
  auto& waiting = self->state.webhook_creations[tenant];
  waiting.push_back([self, context, command] {
    self->request(self->state.dependencies.webhook_addresses, caf::infinite, check_atom::value,
                  command.url)
      .then([self, context, command](bool) { create_within_limit(self, context, command); },
            error_responder(self, context));
  });
  if (waiting.size() == 1) {
    waiting.front()();
  }
}

void execute(gateway_pointer self, const context_pointer& context,
             const get_webhook_endpoint_command& command) {
  if (webhooks_available(self, context)) {
    answer_from_entity<webhook_endpoint_record>(self, context, self->state.dependencies.webhooks,
                                                command.id, render_endpoint,
                                                caf::get_atom::value, context->request.who);
  }
}

void execute(gateway_pointer self, const context_pointer& context,
             const list_webhook_endpoints_command& command) {
  auto renderer = renderer_of(self);
  list_from_store<webhook_endpoint_record, webhook_tag_atom>(
    self, context, make_query(context->request.who, command.page),
    [renderer](const persistence::list_page<webhook_endpoint_record>& page) {
      return renderer->webhook_endpoints(page);
    });
}

void execute(gateway_pointer self, const context_pointer& context,
             const update_webhook_endpoint_command& command) {
  if (webhooks_available(self, context)) {
    answer_from_entity<webhook_endpoint_record>(self, context, self->state.dependencies.webhooks,
                                                command.id, render_endpoint, update_atom::value,
                                                context->request.who, command.changes);
  }
}

void execute(gateway_pointer self, const context_pointer& context,
             const delete_webhook_endpoint_command& command) {
  if (webhooks_available(self, context)) {
    answer_from_entity<webhook_endpoint_record>(self, context, self->state.dependencies.webhooks,
                                                command.id, render_deleted_endpoint,
                                                delete_atom::value, context->request.who);
  }
}

// The endpoint must be the requester's (its actor says so) before its deliveries list.
void execute(gateway_pointer self, const context_pointer& context,
             const list_webhook_deliveries_command& command) {
  if (!webhooks_available(self, context)) {
    return;
  }
  auto renderer = renderer_of(self);
  auto query = make_query(context->request.who, command.page, command.id.value);
  ask_entity<webhook_endpoint_record>(
    self, self->state.dependencies.webhooks, command.id,
    [self, context, renderer, query](const webhook_endpoint_actor&,
                                     const webhook_endpoint_record&,
                                     const persistence::shard_fence&) {
      list_from_store<webhook_delivery_record, delivery_tag_atom>(
        self, context, query,
        [renderer](const persistence::list_page<webhook_delivery_record>& page) {
          return renderer->webhook_deliveries(page);
        });
    },
    failure_responder(self, context), 0, caf::get_atom::value, context->request.who);
}

void execute(gateway_pointer self, const context_pointer& context,
             const retry_webhook_delivery_command& command) {
  if (webhooks_available(self, context)) {
    answer_from_entity<webhook_delivery_record>(self, context, self->state.dependencies.webhooks,
                                                command.id, render_delivery, retry_atom::value,
                                                context->request.who, command.delivery.value);
  }
}

} // namespace settle::gateway_detail
