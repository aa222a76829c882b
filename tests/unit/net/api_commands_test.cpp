// Tests the command builders' error rules: unknown, missing and mistyped fields, the
// amount's range, same_account, unsupported currencies, batch size, and list parameters.
#include "net/api_commands.hpp"

#include <catch2/catch.hpp>

#include <map>
#include <string>
#include <variant>

namespace {

using settle::settle_errc;
using settle::net::built_command;
using settle::net::route_input;

void accept_test_currencies() {
  settle::net::set_accepted_currencies({"USD", "EUR", "GBP", "JPY", "BHD"});
}

route_input body_input(std::string_view body, std::vector<std::string> path_parameters = {}) {
  route_input input;
  input.path_parameters = std::move(path_parameters);
  input.body = body;
  return input;
}

route_input query_input(settle::net::query_parameters query,
                        std::vector<std::string> path_parameters = {}) {
  route_input input;
  input.path_parameters = std::move(path_parameters);
  input.query = std::move(query);
  return input;
}

// "code param" of a refusal, or "accepted": one string, so a failed check shows both.
std::string outcome(const built_command& built) {
  const auto* reason = std::get_if<settle::failure>(&built);
  if (reason == nullptr) {
    return "accepted";
  }
  static const std::map<settle_errc, std::string> names{
    {settle_errc::malformed_json, "malformed_json"},
    {settle_errc::invalid_parameter, "invalid_parameter"},
    {settle_errc::missing_parameter, "missing_parameter"},
    {settle_errc::unknown_parameter, "unknown_parameter"},
    {settle_errc::same_account, "same_account"},
    {settle_errc::unsupported_currency, "unsupported_currency"},
  };
  auto name = names.count(reason->code) != 0 ? names.at(reason->code) : "other";
  return reason->param.empty() ? name : name + " " + reason->param;
}

template <class Command>
const Command& command_of(const built_command& built) {
  const auto& command = std::get<settle::command>(built);
  return std::get<Command>(command);
}

std::string transfer_body(const std::string& amount_json) {
  return R"({"from_account":"acc_a","to_account":"acc_b","currency":"USD","amount":)"
         + amount_json + "}";
}

std::string outcome_of_transfer(const std::string& body) {
  return outcome(settle::net::build_create_transfer(body_input(body)));
}

// A batch body of `count` copies of one valid transfer.
std::string batch_body(std::size_t count) {
  std::string body = R"({"atomic":true,"transfers":[)";
  for (std::size_t index = 0; index < count; ++index) {
    body += index == 0 ? "" : ",";
    body += R"({"from_account":"acc_a","to_account":"acc_b","amount":1,"currency":"USD"})";
  }
  return body + "]}";
}

} // namespace

TEST_CASE("a valid transfer becomes a create_transfer_command", "[api_commands]") {
  accept_test_currencies();
  auto built = settle::net::build_create_transfer(body_input(
    R"({"from_account":"acc_a","to_account":"acc_b","amount":1500,"currency":"EUR","description":"rent"})"));
  REQUIRE(outcome(built) == "accepted");
  const auto& transfer = command_of<settle::create_transfer_command>(built);
  CHECK(transfer.from_account.value == "acc_a");
  CHECK(transfer.to_account.value == "acc_b");
  CHECK(transfer.amount == 1500);
  CHECK(transfer.currency == "EUR");
  CHECK(transfer.description == "rent");
}

TEST_CASE("an unknown field is unknown_parameter naming it", "[api_commands]") {
  accept_test_currencies();
  CHECK(outcome_of_transfer(
          R"({"from_account":"acc_a","to_account":"acc_b","amount":1,"currency":"USD","memo":"x"})")
        == "unknown_parameter memo");
  CHECK(outcome(settle::net::build_create_user(
          body_input(R"({"name":"Ada","email":"ada@example.com","role":"admin"})")))
        == "unknown_parameter role");
  CHECK(outcome(settle::net::build_deposit(body_input(R"({"amount":1,"currency":"USD"})", {"acc_a"})))
        == "unknown_parameter currency");
}

TEST_CASE("an unknown field is reported before the missing ones", "[api_commands]") {
  accept_test_currencies();
  CHECK(outcome_of_transfer(R"({"memo":"x"})") == "unknown_parameter memo");
}

TEST_CASE("each missing required field is missing_parameter naming it", "[api_commands]") {
  accept_test_currencies();
  CHECK(outcome_of_transfer(R"({"to_account":"acc_b","amount":1,"currency":"USD"})")
        == "missing_parameter from_account");
  CHECK(outcome_of_transfer(R"({"from_account":"acc_a","amount":1,"currency":"USD"})")
        == "missing_parameter to_account");
  CHECK(outcome_of_transfer(R"({"from_account":"acc_a","to_account":"acc_b","currency":"USD"})")
        == "missing_parameter amount");
  CHECK(outcome_of_transfer(R"({"from_account":"acc_a","to_account":"acc_b","amount":1})")
        == "missing_parameter currency");
  CHECK(outcome(settle::net::build_create_user(body_input(R"({"name":"Ada"})")))
        == "missing_parameter email");
  CHECK(outcome(settle::net::build_create_account(body_input(R"({"currency":"USD"})")))
        == "missing_parameter user_id");
  CHECK(outcome(settle::net::build_withdrawal(body_input("{}", {"acc_a"})))
        == "missing_parameter amount");
}

TEST_CASE("an amount that is not an integer is invalid_parameter amount", "[api_commands]") {
  accept_test_currencies();
  for (const char* amount : {"\"100\"", "1.5", "100.0", "1e3", "true", "null", "[1]", "{}",
                             "18446744073709551615"}) {
    INFO("amount " << amount);
    CHECK(outcome_of_transfer(transfer_body(amount)) == "invalid_parameter amount");
    CHECK(outcome(settle::net::build_deposit(
            body_input(std::string{R"({"amount":)"} + amount + "}", {"acc_a"})))
          == "invalid_parameter amount");
  }
}

TEST_CASE("an amount outside 1 to 10^15 is invalid_parameter amount", "[api_commands]") {
  accept_test_currencies();
  for (const char* amount : {"0", "-1", "-500", "1000000000000001", "9223372036854775807"}) {
    INFO("amount " << amount);
    CHECK(outcome_of_transfer(transfer_body(amount)) == "invalid_parameter amount");
  }
  CHECK(outcome_of_transfer(transfer_body("1")) == "accepted");
  CHECK(outcome_of_transfer(transfer_body("1000000000000000")) == "accepted");
}

TEST_CASE("a text field of another type is invalid_parameter naming it", "[api_commands]") {
  accept_test_currencies();
  CHECK(outcome_of_transfer(
          R"({"from_account":5,"to_account":"acc_b","amount":1,"currency":"USD"})")
        == "invalid_parameter from_account");
  CHECK(outcome_of_transfer(
          R"({"from_account":"acc_a","to_account":"acc_b","amount":1,"currency":["USD"]})")
        == "invalid_parameter currency");
  CHECK(outcome(settle::net::build_create_user(body_input(R"({"name":null,"email":"a@b"})")))
        == "invalid_parameter name");
}

TEST_CASE("a transfer to its own source account is same_account", "[api_commands]") {
  accept_test_currencies();
  CHECK(outcome_of_transfer(
          R"({"from_account":"acc_a","to_account":"acc_a","amount":1,"currency":"USD"})")
        == "same_account to_account");
}

TEST_CASE("a currency outside the accepted set is unsupported_currency", "[api_commands]") {
  accept_test_currencies();
  for (const char* currency : {"XYZ", "usd", "US", "USDX", "", "CAD"}) {
    INFO("currency " << currency);
    CHECK(outcome_of_transfer(std::string{R"({"from_account":"acc_a","to_account":"acc_b",)"}
                              + R"("amount":1,"currency":")" + currency + "\"}")
          == "unsupported_currency currency");
    CHECK(outcome(settle::net::build_create_account(body_input(
            std::string{R"({"user_id":"usr_a","currency":")"} + currency + "\"}")))
          == "unsupported_currency currency");
  }
}

TEST_CASE("a body that is not a JSON object is malformed_json", "[api_commands]") {
  accept_test_currencies();
  for (const char* body : {"", "[]", "42", "{", R"({"amount":1,"amount":2})"}) {
    INFO("body " << body);
    CHECK(outcome_of_transfer(body) == "malformed_json");
    CHECK(outcome(settle::net::build_deposit(body_input(body, {"acc_a"}))) == "malformed_json");
  }
}

TEST_CASE("deposits and withdrawals carry the path's account", "[api_commands]") {
  accept_test_currencies();
  auto deposit = settle::net::build_deposit(body_input(R"({"amount":250})", {"acc_x"}));
  REQUIRE(outcome(deposit) == "accepted");
  const auto& movement_in = command_of<settle::external_movement_command>(deposit);
  CHECK(movement_in.account_id.value == "acc_x");
  CHECK(movement_in.amount == 250);
  CHECK(movement_in.deposit);

  auto withdrawal = settle::net::build_withdrawal(body_input(R"({"amount":7})", {"acc_y"}));
  REQUIRE(outcome(withdrawal) == "accepted");
  const auto& movement_out = command_of<settle::external_movement_command>(withdrawal);
  CHECK(movement_out.account_id.value == "acc_y");
  CHECK(movement_out.amount == 7);
  CHECK_FALSE(movement_out.deposit);
}

TEST_CASE("an overdraft limit outside 0 to 10^15 is invalid_parameter", "[api_commands]") {
  accept_test_currencies();
  auto with_limit = [](const char* limit) {
    return outcome(settle::net::build_create_account(body_input(
      std::string{R"({"user_id":"usr_a","currency":"USD","overdraft_limit":)"} + limit + "}")));
  };
  CHECK(with_limit("-1") == "invalid_parameter overdraft_limit");
  CHECK(with_limit("1000000000000001") == "invalid_parameter overdraft_limit");
  CHECK(with_limit("2.5") == "invalid_parameter overdraft_limit");
  CHECK(with_limit("0") == "accepted");
  CHECK(with_limit("1000000000000000") == "accepted");
}

TEST_CASE("a batch of 1000 transfers is accepted and one of 1001 refused", "[api_commands]") {
  accept_test_currencies();
  auto body = batch_body(1000);
  auto full = settle::net::build_transfer_batch(body_input(body));
  REQUIRE(outcome(full) == "accepted");
  const auto& batch = command_of<settle::transfer_batch_command>(full);
  CHECK(batch.items.size() == 1000);
  CHECK(batch.atomic);

  auto too_many = batch_body(1001);
  CHECK(outcome(settle::net::build_transfer_batch(body_input(too_many)))
        == "invalid_parameter transfers");
}

TEST_CASE("a batch needs a non-empty transfers array", "[api_commands]") {
  accept_test_currencies();
  auto batch_outcome = [](const char* body) {
    return outcome(settle::net::build_transfer_batch(body_input(body)));
  };
  CHECK(batch_outcome(R"({"atomic":true,"transfers":[]})") == "invalid_parameter transfers");
  CHECK(batch_outcome(R"({"atomic":true})") == "missing_parameter transfers");
  CHECK(batch_outcome(R"({"transfers":{}})") == "invalid_parameter transfers");
  CHECK(batch_outcome(R"({"atomic":"yes","transfers":[]})") == "invalid_parameter atomic");
  CHECK(batch_outcome(R"({"transfers":[],"extra":1})") == "unknown_parameter extra");
}

TEST_CASE("a batch keeps each invalid item's own failure, in order", "[api_commands]") {
  accept_test_currencies();
  auto built = settle::net::build_transfer_batch(body_input(
    R"({"transfers":[)"
    R"({"from_account":"acc_a","to_account":"acc_b","amount":1,"currency":"USD"},)"
    R"({"from_account":"acc_a","to_account":"acc_a","amount":1,"currency":"USD"},)"
    R"(7,)"
    R"({"from_account":"acc_a","to_account":"acc_b","amount":0,"currency":"USD"}]})"));
  REQUIRE(outcome(built) == "accepted");
  const auto& batch = command_of<settle::transfer_batch_command>(built);
  REQUIRE(batch.items.size() == 4);
  CHECK_FALSE(batch.atomic);
  CHECK_FALSE(batch.items[0].invalid.has_value());
  CHECK(batch.items[0].transfer.to_account.value == "acc_b");
  REQUIRE(batch.items[1].invalid.has_value());
  CHECK(batch.items[1].invalid->code == settle_errc::same_account);
  REQUIRE(batch.items[2].invalid.has_value());
  CHECK(batch.items[2].invalid->code == settle_errc::invalid_parameter);
  REQUIRE(batch.items[3].invalid.has_value());
  CHECK(batch.items[3].invalid->code == settle_errc::invalid_parameter);
  CHECK(batch.items[3].invalid->param == "amount");
}

TEST_CASE("an unknown query parameter is unknown_parameter naming it", "[api_commands]") {
  accept_test_currencies();
  CHECK(outcome(settle::net::build_list_users(query_input({{"sort", "asc"}})))
        == "unknown_parameter sort");
  CHECK(outcome(settle::net::build_list_transfers(query_input({{"user_id", "usr_a"}})))
        == "unknown_parameter user_id");
  CHECK(outcome(settle::net::build_list_accounts(query_input({{"account", "acc_a"}})))
        == "unknown_parameter account");
  CHECK(outcome(settle::net::build_get_user(query_input({{"expand", "1"}}, {"usr_a"})))
        == "unknown_parameter expand");
  CHECK(outcome(settle::net::build_get_account(query_input({{"x", ""}}, {"acc_a"})))
        == "unknown_parameter x");
  CHECK(outcome(settle::net::build_audit(query_input({{"currency", "USD"}})))
        == "unknown_parameter currency");
}

TEST_CASE("every builder refuses an unknown query parameter", "[api_commands]") {
  accept_test_currencies();
  struct case_of_builder {
    const char* name;
    settle::net::command_builder build;
    const char* body;
  };
  for (const auto& builder : std::vector<case_of_builder>{
         {"create_user", settle::net::build_create_user, R"({"name":"Ada","email":"a@b"})"},
         {"update_user", settle::net::build_update_user, R"({"name":"Ada"})"},
         {"delete_user", settle::net::build_delete_user, ""},
         {"create_account", settle::net::build_create_account,
          R"({"user_id":"usr_a","currency":"USD"})"},
         {"close_account", settle::net::build_close_account, ""},
         {"create_transfer", settle::net::build_create_transfer,
          R"({"from_account":"acc_a","to_account":"acc_b","amount":1,"currency":"USD"})"},
         {"transfer_batch", settle::net::build_transfer_batch, "{\"transfers\":[{}]}"},
         {"create_order", settle::net::build_create_order,
          R"({"payer_account":"acc_a","payee_account":"acc_b","amount":1,"currency":"USD"})"},
         {"update_order", settle::net::build_update_order, R"({"description":"x"})"},
       }) {
    INFO("builder " << builder.name);
    auto input = query_input({{"foo", "1"}}, {"usr_a"});
    input.body = builder.body;
    CHECK(outcome(builder.build(input)) == "unknown_parameter foo");
  }
}

TEST_CASE("a limit that is not an integer from 1 to 100 is invalid_parameter limit",
          "[api_commands]") {
  accept_test_currencies();
  for (const char* limit : {"0", "101", "abc", "", "-1", "1.5", " 5", "5 ", "+5", "0x10",
                            "99999999999999999999"}) {
    INFO("limit '" << limit << "'");
    CHECK(outcome(settle::net::build_list_users(query_input({{"limit", limit}})))
          == "invalid_parameter limit");
    CHECK(outcome(settle::net::build_list_entries(query_input({{"limit", limit}}, {"acc_a"})))
          == "invalid_parameter limit");
  }
}

TEST_CASE("a list takes limit 1 to 100, defaulting to 20, and its cursor", "[api_commands]") {
  accept_test_currencies();
  auto smallest = settle::net::build_list_users(query_input({{"limit", "1"}}));
  REQUIRE(outcome(smallest) == "accepted");
  CHECK(command_of<settle::list_users_command>(smallest).page.limit == 1);

  auto largest = settle::net::build_list_transfers(
    query_input({{"limit", "100"}, {"starting_after", "trf_a"}, {"account", "acc_a"}}));
  REQUIRE(outcome(largest) == "accepted");
  const auto& transfers = command_of<settle::list_transfers_command>(largest);
  CHECK(transfers.page.limit == 100);
  CHECK(transfers.page.starting_after == "trf_a");
  CHECK(transfers.account.value == "acc_a");

  auto defaults = settle::net::build_list_accounts(query_input({{"user_id", "usr_a"}}));
  REQUIRE(outcome(defaults) == "accepted");
  const auto& accounts = command_of<settle::list_accounts_command>(defaults);
  CHECK(accounts.page.limit == 20);
  CHECK(accounts.page.starting_after.empty());
  CHECK(accounts.user_id.value == "usr_a");
}

TEST_CASE("an empty starting_after is invalid_parameter starting_after", "[api_commands]") {
  accept_test_currencies();
  CHECK(outcome(settle::net::build_list_users(query_input({{"starting_after", ""}})))
        == "invalid_parameter starting_after");
}

TEST_CASE("a valid order becomes a create_order_command with its defaults", "[api_commands]") {
  accept_test_currencies();
  auto built = settle::net::build_create_order(body_input(
    R"({"payer_account":"acc_a","payee_account":"acc_b","amount":900,"currency":"GBP",)"
    R"("capture_method":"automatic"})"));
  REQUIRE(outcome(built) == "accepted");
  const auto& order = command_of<settle::create_order_command>(built);
  CHECK(order.payer_account.value == "acc_a");
  CHECK(order.payee_account.value == "acc_b");
  CHECK(order.amount == 900);
  CHECK(order.currency == "GBP");
  CHECK(order.capture == settle::capture_method::automatic);
  CHECK(order.authorization_ttl_seconds == 600);
}

TEST_CASE("an order's capture method, ttl, amount and accounts are checked", "[api_commands]") {
  accept_test_currencies();
  auto order_outcome = [](const std::string& extra) {
    return outcome(settle::net::build_create_order(body_input(
      R"({"payer_account":"acc_a","payee_account":"acc_b","amount":900,"currency":"USD")" + extra
      + "}")));
  };
  // capture_method has no `?` in API.md: it is required.
  CHECK(order_outcome("") == "missing_parameter capture_method");
  auto with_method = [&](const std::string& extra) {
    return order_outcome(R"(,"capture_method":"manual")" + extra);
  };
  CHECK(with_method("") == "accepted");
  CHECK(order_outcome(R"(,"capture_method":"later")") == "invalid_parameter capture_method");
  CHECK(with_method(R"(,"authorization_ttl_s":0)") == "invalid_parameter authorization_ttl_s");
  CHECK(with_method(R"(,"authorization_ttl_s":604801)")
        == "invalid_parameter authorization_ttl_s");
  CHECK(with_method(R"(,"authorization_ttl_s":604800)") == "accepted");
  CHECK(order_outcome(R"(,"tip":1)") == "unknown_parameter tip");
  CHECK(outcome(settle::net::build_create_order(body_input(
          R"({"payer_account":"acc_a","payee_account":"acc_a","amount":1,"currency":"USD",)"
          R"("capture_method":"manual"})")))
        == "same_account payee_account");
  CHECK(outcome(settle::net::build_create_order(body_input(
          R"({"payer_account":"acc_a","payee_account":"acc_b","amount":1.5,"currency":"USD"})")))
        == "invalid_parameter amount");
}

TEST_CASE("order actions take an empty body or {}, and amount only where defined",
          "[api_commands]") {
  accept_test_currencies();
  auto action = [](settle::net::command_builder build, const char* body) {
    return outcome(build(body_input(body, {"ord_a"})));
  };
  CHECK(action(settle::net::build_confirm_order, "") == "accepted");
  CHECK(action(settle::net::build_confirm_order, "{}") == "accepted");
  CHECK(action(settle::net::build_cancel_order, "") == "accepted");
  CHECK(action(settle::net::build_confirm_order, R"({"amount":5})") == "unknown_parameter amount");
  CHECK(action(settle::net::build_capture_order, R"({"amount":0})") == "invalid_parameter amount");
  CHECK(action(settle::net::build_refund_order, R"({"amount":"5"})") == "invalid_parameter amount");
  CHECK(action(settle::net::build_capture_order, "[]") == "malformed_json");

  auto capture = settle::net::build_capture_order(body_input(R"({"amount":5})", {"ord_a"}));
  REQUIRE(outcome(capture) == "accepted");
  const auto& partial = command_of<settle::order_action_command>(capture);
  CHECK(partial.id.value == "ord_a");
  CHECK(partial.action == settle::order_action::capture);
  CHECK(partial.has_amount);
  CHECK(partial.amount == 5);

  auto whole = settle::net::build_refund_order(body_input("", {"ord_a"}));
  REQUIRE(outcome(whole) == "accepted");
  CHECK(command_of<settle::order_action_command>(whole).action == settle::order_action::refund);
  CHECK_FALSE(command_of<settle::order_action_command>(whole).has_amount);
}

TEST_CASE("DELETE of an order is its cancellation", "[api_commands]") {
  accept_test_currencies();
  auto built = settle::net::build_delete_order(body_input("", {"ord_a"}));
  REQUIRE(outcome(built) == "accepted");
  CHECK(command_of<settle::order_action_command>(built).action == settle::order_action::cancel);
}

TEST_CASE("the order list takes a known status only", "[api_commands]") {
  accept_test_currencies();
  CHECK(outcome(settle::net::build_list_orders(query_input({{"status", "shipped"}})))
        == "invalid_parameter status");
  auto built = settle::net::build_list_orders(
    query_input({{"status", "authorized"}, {"account", "acc_a"}}));
  REQUIRE(outcome(built) == "accepted");
  CHECK(command_of<settle::list_orders_command>(built).status == "authorized");
  CHECK(command_of<settle::list_orders_command>(built).account.value == "acc_a");
}
