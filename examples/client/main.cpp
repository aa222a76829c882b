// The Settle C++ client in one page: creates a user and two USD accounts, deposits into
// the first (the contract's only way in for money), transfers to the second, then follows
// the two accounts' events on the stream and prints them.
//
//   settle_client_example BASE_URL API_KEY
//   settle_client_example http://127.0.0.1:8080 sk_admin_...
//
// settled prints a random admin key at start when it has no --auth.keys-file.
#include "client/api_client.hpp"

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <string>
#include <variant>

namespace client = settle::client;

namespace {

// "acc_… balance 7500 held 0", whatever the object is.
std::string describe(const client::event& happened) {
  if (const auto* account = std::get_if<client::account>(&happened.object)) {
    return account->id + " balance " + std::to_string(account->balance) + " held "
           + std::to_string(account->held);
  }
  if (const auto* transfer = std::get_if<client::transfer>(&happened.object)) {
    return transfer->id + " " + transfer->kind + " " + std::to_string(transfer->amount) + " "
           + transfer->currency;
  }
  if (const auto* user = std::get_if<client::user>(&happened.object)) {
    return user->id;
  }
  if (const auto* order = std::get_if<client::order>(&happened.object)) {
    return order->id + " " + order->status;
  }
  return happened.object_json;
}

// Prints the accounts' events until the transfer between them has been seen (the last
// change made), or nothing arrives for 10 seconds.
int follow_events(client::api_client& api, const std::string& payer, const std::string& payee,
                  const std::string& transfer_id) {
  client::stream_options options;
  options.topics = {payer, payee};
  // From the beginning of the log: the stored events first (the accounts were created
  // before this subscription), then live ones.
  options.since = 0;
  auto stream = api.subscribe(options);
  while (auto happened = stream.next_event(std::chrono::seconds(10))) {
    std::cout << "event " << happened->seq << " " << happened->name << " " << describe(*happened) << "\n";
    const auto* transfer = std::get_if<client::transfer>(&happened->object);
    if (transfer != nullptr && transfer->id == transfer_id) {
      return EXIT_SUCCESS;
    }
  }
  std::cerr << "the transfer's event did not arrive within 10 seconds\n";
  return EXIT_FAILURE;
}

int run(const std::string& base_url, const std::string& api_key) {
  client::client_options options;
  options.base_url = base_url;
  options.api_key = api_key;
  client::api_client api(options);

  auto ada = api.create_user({"Ada Lovelace", "ada@example.com"});
  std::cout << "user " << ada.id << " " << ada.name << "\n";
  auto payer = api.create_account({ada.id, "USD", std::nullopt});
  auto payee = api.create_account({ada.id, "USD", std::nullopt});
  std::cout << "accounts " << payer.id << " " << payee.id << "\n";

  auto deposit = api.deposit(payer.id, 10'000);
  std::cout << "deposit " << deposit.id << " " << deposit.amount << " " << deposit.currency << "\n";
  auto paid = api.create_transfer({payer.id, payee.id, 2'500, "USD", std::string("rent")});
  std::cout << "transfer " << paid.id << " " << paid.amount << " " << paid.currency << " "
            << paid.status << " (Idempotency-Key " << api.last_call().idempotency_key << ")\n";

  try {
    api.withdraw(payer.id, 1'000'000);
  } catch (const client::api_error& refused) {
    std::cout << "overdraw refused: " << refused.status() << " " << refused.code() << "\n";
  }
  std::cout << "balances " << api.get_account(payer.id).balance << " " << api.get_account(payee.id).balance
            << "\n";
  return follow_events(api, payer.id, payee.id, paid.id);
}

} // namespace

int main(int argument_count, char** arguments) {
  if (argument_count != 3) {
    std::cerr << "usage: " << arguments[0] << " BASE_URL API_KEY\n"
              << "  e.g. " << arguments[0] << " http://127.0.0.1:8080 sk_admin_...\n";
    return 2;
  }
  try {
    return run(arguments[1], arguments[2]);
  } catch (const settle::client::error& failure) {
    std::cerr << "settle: " << failure.what() << "\n";
    return EXIT_FAILURE;
  }
}
