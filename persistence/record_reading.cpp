// Row to record, for every record the store keeps.
#include "persistence/record_reading.hpp"

#include "persistence/connection.hpp"
#include "persistence/row_reading.hpp"

namespace settle::persistence {

const char* const user_columns = "id, tenant, name, email, deleted, created_at, ordinal";
const char* const account_columns =
    "id, tenant, user_id, currency, balance, held, overdraft_limit, status, created_at, ordinal";
const char* const transfer_columns =
    "id, kind, from_account, to_account, from_tenant, to_tenant, order_id, amount, currency,"
    " description, created_at, settled_at, ordinal";
const char* const order_columns =
    "id, tenant, payer_account, payee_account, amount, currency, capture_method, status,"
    " amount_authorized, amount_captured, amount_refunded, description, failure_code,"
    " expires_at, authorization_ttl_s, created_at, updated_at, ordinal, payee_tenant";
const char* const webhook_endpoint_columns =
    "id, tenant, url, events, description, status, secret, deleted, cursor_seq, created_at,"
    " ordinal";
const char* const webhook_delivery_columns =
    "id, endpoint_id, tenant, event, status, attempts, last_status_code, next_attempt_at,"
    " first_attempt_at, created_at, ordinal";
const char* const entry_columns =
    "id, account_id, transfer_id, order_id, kind, amount, balance_after, created_at, ordinal";

namespace {

transfer_kind parse_kind(const std::string& text) {
  for (auto kind : {transfer_kind::deposit, transfer_kind::withdrawal, transfer_kind::transfer,
                    transfer_kind::capture, transfer_kind::refund}) {
    if (text == to_string(kind)) {
      return kind;
    }
  }
  throw storage_error{"unknown transfer kind in storage: " + text};
}

} // namespace

user_record read_user(const text_row& row) {
  user_record user;
  user.id = user_id{read_text(row, 0)};
  user.tenant = tenant_name{read_text(row, 1)};
  user.name = read_text(row, 2);
  user.email = read_text(row, 3);
  user.deleted = read_int64(row, 4) != 0;
  user.created_at = read_int64(row, 5);
  user.ordinal = read_int64(row, 6);
  return user;
}

account_record read_account(const text_row& row) {
  account_record account;
  account.id = account_id{read_text(row, 0)};
  account.tenant = tenant_name{read_text(row, 1)};
  account.user_id = user_id{read_text(row, 2)};
  account.currency = read_text(row, 3);
  account.balance = read_int64(row, 4);
  account.held = read_int64(row, 5);
  account.overdraft_limit = read_int64(row, 6);
  account.status = read_text(row, 7) == "closed" ? account_status::closed : account_status::open;
  account.created_at = read_int64(row, 8);
  account.ordinal = read_int64(row, 9);
  return account;
}

transfer_record read_transfer(const text_row& row) {
  transfer_record transfer;
  transfer.id = transfer_id{read_text(row, 0)};
  transfer.kind = parse_kind(read_text(row, 1));
  transfer.from_account = account_id{read_text(row, 2)};
  transfer.to_account = account_id{read_text(row, 3)};
  transfer.from_tenant = tenant_name{read_text(row, 4)};
  transfer.to_tenant = tenant_name{read_text(row, 5)};
  transfer.order_id = order_id{read_text(row, 6)};
  transfer.amount = read_int64(row, 7);
  transfer.currency = read_text(row, 8);
  transfer.description = read_text(row, 9);
  transfer.created_at = read_int64(row, 10);
  transfer.settled_at = read_int64(row, 11);
  transfer.ordinal = read_int64(row, 12);
  return transfer;
}

entry_record read_entry(const text_row& row) {
  entry_record entry;
  entry.id = entry_id{read_text(row, 0)};
  entry.account_id = account_id{read_text(row, 1)};
  entry.transfer_id = transfer_id{read_text(row, 2)};
  entry.order_id = order_id{read_text(row, 3)};
  entry.kind = parse_kind(read_text(row, 4));
  entry.amount = read_int64(row, 5);
  entry.balance_after = read_int64(row, 6);
  entry.created_at = read_int64(row, 7);
  entry.ordinal = read_int64(row, 8);
  return entry;
}

order_record read_order(const text_row& row) {
  order_record order;
  order.id = order_id{read_text(row, 0)};
  order.tenant = tenant_name{read_text(row, 1)};
  order.payer_account = account_id{read_text(row, 2)};
  order.payee_account = account_id{read_text(row, 3)};
  order.amount = read_int64(row, 4);
  order.currency = read_text(row, 5);
  auto method = parse_capture_method(read_text(row, 6));
  auto status = parse_order_status(read_text(row, 7));
  if (!method || !status) {
    throw storage_error{"unknown order capture method or status in storage"};
  }
  order.capture = *method;
  order.status = *status;
  order.amount_authorized = read_int64(row, 8);
  order.amount_captured = read_int64(row, 9);
  order.amount_refunded = read_int64(row, 10);
  order.description = read_text(row, 11);
  order.failure_code = read_text(row, 12);
  order.expires_at = read_int64(row, 13);
  order.authorization_ttl_seconds = read_int64(row, 14);
  order.created_at = read_int64(row, 15);
  order.updated_at = read_int64(row, 16);
  order.ordinal = read_int64(row, 17);
  order.payee_tenant = tenant_name{read_text(row, 18)};
  return order;
}

webhook_endpoint_record read_webhook_endpoint(const text_row& row) {
  webhook_endpoint_record endpoint;
  endpoint.id = webhook_endpoint_id{read_text(row, 0)};
  endpoint.tenant = tenant_name{read_text(row, 1)};
  endpoint.url = read_text(row, 2);
  endpoint.events = split_filters(read_text(row, 3));
  endpoint.description = read_text(row, 4);
  auto status = parse_webhook_status(read_text(row, 5));
  if (!status) {
    throw storage_error{"unknown webhook endpoint status in storage"};
  }
  endpoint.status = *status;
  endpoint.secret = read_text(row, 6);
  endpoint.deleted = read_int64(row, 7) != 0;
  endpoint.cursor = read_int64(row, 8);
  endpoint.created_at = read_int64(row, 9);
  endpoint.ordinal = read_int64(row, 10);
  return endpoint;
}

webhook_delivery_record read_webhook_delivery(const text_row& row) {
  webhook_delivery_record delivery;
  delivery.id = webhook_delivery_id{read_text(row, 0)};
  delivery.endpoint_id = webhook_endpoint_id{read_text(row, 1)};
  delivery.tenant = tenant_name{read_text(row, 2)};
  delivery.event = read_text(row, 3);
  auto status = parse_delivery_status(read_text(row, 4));
  if (!status) {
    throw storage_error{"unknown webhook delivery status in storage"};
  }
  delivery.status = *status;
  delivery.attempts = read_int64(row, 5);
  delivery.last_status_code = read_int64(row, 6);
  delivery.next_attempt_at = read_int64(row, 7);
  delivery.first_attempt_at = read_int64(row, 8);
  delivery.created_at = read_int64(row, 9);
  delivery.event_seq = read_int64(row, 10);
  return delivery;
}

} // namespace settle::persistence
