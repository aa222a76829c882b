// What the client library's tests share: Catch2, the integration harness's real settled
// servers and keys, the fault proxy, and client options with short waits.
#pragma once

#include <catch2/catch.hpp>

#include "client/api_client.hpp"
#include "tests/client/fault_proxy.hpp"
#include "tests/integration/harness/test_server.hpp"

#include <string>

namespace settle::client_tests {

using integration::acme_key;
using integration::admin_key;
using integration::globex_key;
using integration::shared_server;
using integration::test_server;

inline std::string base_url_of(const test_server& server) {
  return "http://127.0.0.1:" + std::to_string(server.port());
}

// Options for `key` at `base_url`, with the library's retry defaults but short backoffs,
// so that a test of a dropped connection does not sit in a backoff.
inline client::client_options options_for(const std::string& base_url, const std::string& key) {
  client::client_options options;
  options.base_url = base_url;
  options.api_key = key;
  options.request_timeout = std::chrono::seconds(10);
  options.retry.first_backoff = std::chrono::milliseconds(50);
  return options;
}

inline client::api_client client_for(const test_server& server, const std::string& key) {
  return client::api_client(options_for(base_url_of(server), key));
}

// A user and an account of `currency`, holding `deposit` (nothing when 0).
struct funded_account {
  client::user owner;
  client::account account;
};

inline funded_account make_funded_account(client::api_client& api, std::int64_t deposit,
                                          const std::string& currency = "USD") {
  auto owner = api.create_user({"Grace Hopper", "grace@example.com"});
  auto account = api.create_account({owner.id, currency, std::nullopt});
  if (deposit > 0) {
    api.deposit(account.id, deposit);
  }
  return {owner, api.get_account(account.id)};
}

} // namespace settle::client_tests
