// One builder per /v1 endpoint: it reads the path, query and JSON body of a request
// and returns the validated command, or the failure to answer.
#pragma once

#include "net/router.hpp"

namespace settle::net {

// The currencies accepted; set once at start, before the first request.
void set_accepted_currencies(std::vector<std::string> currencies);

built_command build_create_user(const route_input& input);
built_command build_list_users(const route_input& input);
built_command build_get_user(const route_input& input);
built_command build_update_user(const route_input& input);
built_command build_delete_user(const route_input& input);
built_command build_create_account(const route_input& input);
built_command build_list_accounts(const route_input& input);
built_command build_get_account(const route_input& input);
built_command build_close_account(const route_input& input);
built_command build_deposit(const route_input& input);
built_command build_withdrawal(const route_input& input);
built_command build_list_entries(const route_input& input);
built_command build_create_transfer(const route_input& input);
built_command build_list_transfers(const route_input& input);
built_command build_transfer_batch(const route_input& input);
built_command build_get_transfer(const route_input& input);
built_command build_create_order(const route_input& input);
built_command build_list_orders(const route_input& input);
built_command build_get_order(const route_input& input);
built_command build_update_order(const route_input& input);
built_command build_delete_order(const route_input& input);
built_command build_confirm_order(const route_input& input);
built_command build_capture_order(const route_input& input);
built_command build_cancel_order(const route_input& input);
built_command build_refund_order(const route_input& input);
built_command build_list_events(const route_input& input);
built_command build_create_webhook_endpoint(const route_input& input);
built_command build_list_webhook_endpoints(const route_input& input);
built_command build_get_webhook_endpoint(const route_input& input);
built_command build_update_webhook_endpoint(const route_input& input);
built_command build_delete_webhook_endpoint(const route_input& input);
built_command build_list_webhook_deliveries(const route_input& input);
built_command build_retry_webhook_delivery(const route_input& input);
built_command build_audit(const route_input& input);
built_command build_cluster(const route_input& input);

} // namespace settle::net
