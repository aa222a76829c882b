// The messages that cross nodes, by name. CAF refuses to serialize a type it does not
// know, so every node registers the same list before its actor system starts.
#include "actors/interfaces.hpp"
#include "actors/node.hpp"

#include <caf/actor_system_config.hpp>

namespace settle {

void register_message_types(caf::actor_system_config& config) {
  config.add_message_type<requester>("settle::requester")
      .add_message_type<leg_request>("settle::leg_request")
      .add_message_type<std::vector<leg_request>>("settle::leg_requests")
      .add_message_type<leg_group_answer>("settle::leg_group_answer")
      .add_message_type<order_request>("settle::order_request")
      .add_message_type<order_outcome>("settle::order_outcome")
      .add_message_type<user_changes>("settle::user_changes")
      .add_message_type<account_record>("settle::account_record")
      .add_message_type<account_snapshot>("settle::account_snapshot")
      .add_message_type<user_record>("settle::user_record")
      .add_message_type<order_record>("settle::order_record")
      .add_message_type<persistence::write_set>("settle::write_set")
      .add_message_type<persistence::shard_fence>("settle::shard_fence")
      .add_message_type<persistence::leg_claim>("settle::leg_claim")
      .add_message_type<account_actor>("settle::account_actor")
      .add_message_type<user_actor>("settle::user_actor")
      .add_message_type<order_actor>("settle::order_actor")
      .add_message_type<tenant_name>("settle::tenant_name");
}

} // namespace settle
