// Reading the domain's records from result rows, in the column order of the
// `*_columns` lists below, shared by the store reader and the ledger store.
#pragma once

#include "domain/order.hpp"
#include "domain/records.hpp"
#include "domain/webhook_endpoint.hpp"

#include "persistence/text_rows.hpp"


namespace settle::persistence {

extern const char* const user_columns;
extern const char* const account_columns;
extern const char* const transfer_columns;
extern const char* const entry_columns;
extern const char* const order_columns;
extern const char* const webhook_endpoint_columns;
extern const char* const webhook_delivery_columns;

user_record read_user(const text_row& row);
account_record read_account(const text_row& row);
transfer_record read_transfer(const text_row& row);
entry_record read_entry(const text_row& row);
order_record read_order(const text_row& row);
webhook_endpoint_record read_webhook_endpoint(const text_row& row);
webhook_delivery_record read_webhook_delivery(const text_row& row);

} // namespace settle::persistence
