#include "persistence/webhook_writes.hpp"

#include "persistence/commit_script.hpp"
#include "persistence/row_batch.hpp"

#include <map>

namespace settle::persistence {
namespace {

using group_type = std::vector<const write_set*>;

void run_rows(commit_script& script, const row_batch& rows, const std::string& sql) {
  rows.for_each_statement(
    [&](std::size_t start, std::size_t end) { script.run(rows.statement(sql, start, end)); });
}

void insert_endpoints(commit_script& script, dialect kind, const group_type& group) {
  row_batch rows{kind};
  for (const auto* set : group) {
    for (const auto& endpoint : set->webhook_endpoints_inserted) {
      rows.text(endpoint.id)
        .text(endpoint.tenant)
        .text(endpoint.url)
        .text(join_filters(endpoint.events))
        .text(endpoint.description)
        .text(to_string(endpoint.status))
        .text(endpoint.secret)
        .integer(endpoint.deleted ? 1 : 0)
        .integer(endpoint.cursor)
        .integer(endpoint.created_at)
        .integer(endpoint.ordinal)
        .end_row();
    }
  }
  run_rows(script, rows,
           "INSERT INTO webhook_endpoints (id, tenant, url, events, description, status, secret,"
           " deleted, cursor_seq, created_at, ordinal) {rows}");
}

// An endpoint changed by several write sets of the group keeps the last change: its
// actor sends them in order, each with the whole row.
void update_endpoints(commit_script& script, const group_type& group) {
  std::map<webhook_endpoint_id, const webhook_endpoint_record*> latest;
  for (const auto* set : group) {
    for (const auto& endpoint : set->webhook_endpoints_updated) {
      latest[endpoint.id] = &endpoint;
    }
  }
  for (const auto& [id, endpoint] : latest) {
    script.run({"UPDATE webhook_endpoints SET url = $2, events = $3, description = $4,"
                " status = $5, deleted = $6, cursor_seq = $7 WHERE id = $1",
                {id.value, endpoint->url, join_filters(endpoint->events), endpoint->description,
                 std::string{to_string(endpoint->status)},
                 std::int64_t{endpoint->deleted ? 1 : 0}, endpoint->cursor}});
  }
}

// A delivery of an event the endpoint already has one of (sent again after a crash, or
// tried again) rewrites its outcome and keeps its id. One row per event and endpoint in
// a statement: the last outcome of the group.
void record_deliveries(commit_script& script, dialect kind, const group_type& group) {
  std::map<std::pair<webhook_endpoint_id, std::int64_t>, const webhook_delivery_record*> latest;
  for (const auto* set : group) {
    for (const auto& delivery : set->webhook_deliveries) {
      latest[{delivery.endpoint_id, delivery.event_seq}] = &delivery;
    }
  }
  row_batch rows{kind};
  for (const auto& [key, delivery] : latest) {
    rows.text(delivery->id)
      .text(delivery->endpoint_id)
      .text(delivery->tenant)
      .text(delivery->event)
      .text(to_string(delivery->status))
      .integer(delivery->attempts)
      .integer(delivery->last_status_code)
      .integer(delivery->next_attempt_at)
      .integer(delivery->first_attempt_at)
      .integer(delivery->created_at)
      .integer(delivery->event_seq)
      .end_row();
  }
  run_rows(script, rows,
           "INSERT INTO webhook_deliveries (id, endpoint_id, tenant, event, status, attempts,"
           " last_status_code, next_attempt_at, first_attempt_at, created_at, ordinal) {rows}"
           " ON CONFLICT (endpoint_id, ordinal) DO UPDATE SET status = excluded.status,"
           " attempts = excluded.attempts, last_status_code = excluded.last_status_code,"
           " next_attempt_at = excluded.next_attempt_at");
}

} // namespace

void write_webhook_rows(commit_script& script, dialect kind, const group_type& group) {
  insert_endpoints(script, kind, group);
  update_endpoints(script, group);
  record_deliveries(script, kind, group);
}

} // namespace settle::persistence
