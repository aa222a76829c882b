// Where ids meet, a tenant, an account id and an order id cannot be passed one for
// another: the records, the commands, the store's lookups and the regions take the id
// of their own kind, and text becomes an id only explicitly. Checked at compile time;
// a swap in the code would not build.
#include "actors/interfaces.hpp"
#include "persistence/store_reader.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <type_traits>

namespace {

using namespace settle;

template <class Field, class Id>
constexpr bool is_id = std::is_same_v<Field, Id>;

} // namespace

TEST_CASE("records and commands hold ids of their own kind", "[ids]") {
  STATIC_REQUIRE(is_id<decltype(order_record::id), order_id>);
  STATIC_REQUIRE(is_id<decltype(order_record::tenant), tenant_name>);
  STATIC_REQUIRE(is_id<decltype(order_record::payer_account), account_id>);
  STATIC_REQUIRE(is_id<decltype(transfer_record::order_id), order_id>);
  STATIC_REQUIRE(is_id<decltype(transfer_record::from_account), account_id>);
  STATIC_REQUIRE(is_id<decltype(entry_record::transfer_id), transfer_id>);
  STATIC_REQUIRE(is_id<decltype(account_record::user_id), user_id>);
  STATIC_REQUIRE(is_id<decltype(requester::tenant), tenant_name>);
  STATIC_REQUIRE(is_id<decltype(create_order_command::payee_account), account_id>);
  STATIC_REQUIRE(is_id<decltype(order_action_command::id), order_id>);
  STATIC_REQUIRE(is_id<decltype(create_account_command::user_id), user_id>);
}

TEST_CASE("a tenant, an account id and an order id do not convert into one another", "[ids]") {
  STATIC_REQUIRE_FALSE(std::is_convertible_v<tenant_name, account_id>);
  STATIC_REQUIRE_FALSE(std::is_convertible_v<account_id, order_id>);
  STATIC_REQUIRE_FALSE(std::is_convertible_v<order_id, tenant_name>);
  STATIC_REQUIRE_FALSE(std::is_assignable_v<account_id&, order_id>);
  STATIC_REQUIRE_FALSE(std::is_assignable_v<tenant_name&, std::string>);
  STATIC_REQUIRE_FALSE(std::is_assignable_v<order_id&, const char*>);
  STATIC_REQUIRE_FALSE(std::is_convertible_v<account_id, std::string>);
  const account_id from_text{std::string{"acc_a"}}; // explicitly, from text
  CHECK(from_text.value == "acc_a");
}

TEST_CASE("the store's lookups and the regions take the id of their kind", "[ids]") {
  using reader = persistence::store_reader;
  STATIC_REQUIRE(std::is_invocable_v<decltype(&reader::find_account), reader&, account_id>);
  STATIC_REQUIRE_FALSE(std::is_invocable_v<decltype(&reader::find_account), reader&, order_id>);
  STATIC_REQUIRE_FALSE(std::is_invocable_v<decltype(&reader::find_order), reader&, account_id>);
  STATIC_REQUIRE_FALSE(std::is_invocable_v<decltype(&reader::find_order), reader&, std::string>);
  using find_answer = decltype(&reader::find_idempotency_record);
  STATIC_REQUIRE_FALSE(std::is_invocable_v<find_answer, reader&, account_id, std::string>);
  STATIC_REQUIRE(std::is_invocable_v<find_answer, reader&, tenant_name, std::string>);
  STATIC_REQUIRE(is_id<entity_id<account_actor>, account_id>);
  STATIC_REQUIRE(is_id<entity_id<order_actor>, order_id>);
  STATIC_REQUIRE(is_id<entity_id<user_actor>, user_id>);
}
