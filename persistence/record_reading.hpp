// Reading the domain's records from result rows, in the column order of the
// `*_columns` lists below, shared by the store reader and the ledger store.
#pragma once

#include "domain/order.hpp"
#include "domain/records.hpp"

#include "persistence/text_rows.hpp"

#include <soci/soci.h>

namespace settle::persistence {

extern const char* const user_columns;
extern const char* const account_columns;
extern const char* const transfer_columns;
extern const char* const entry_columns;
extern const char* const order_columns;

user_record read_user(const soci::row& row);
account_record read_account(const soci::row& row);
// An account as the ledger writer's UPDATE … RETURNING gives it back (see commit_script).
account_record read_returned_account(const text_row& row);
transfer_record read_transfer(const soci::row& row);
entry_record read_entry(const soci::row& row);
order_record read_order(const soci::row& row);

} // namespace settle::persistence
