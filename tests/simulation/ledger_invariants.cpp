#include "ledger_invariants.hpp"

#include <map>

namespace settle::simulation {
namespace {

std::optional<std::string> broken_account_invariant(const memory_database& database,
                                                    const account_record& account,
                                                    std::int64_t held_by_orders) {
  auto entries = database.sum_of_entries.find(account.id);
  std::int64_t sum = entries == database.sum_of_entries.end() ? 0 : entries->second;
  if (account.balance != sum) {
    return account.id.value + ": balance " + std::to_string(account.balance)
           + " is not the sum of its entries " + std::to_string(sum);
  }
  if (account.held != held_by_orders) {
    return account.id.value + ": held " + std::to_string(account.held) + " but authorized orders hold "
           + std::to_string(held_by_orders);
  }
  if (account.tenant != system_tenant && account.balance + account.overdraft_limit - account.held < 0) {
    return account.id.value + ": available below zero (balance " + std::to_string(account.balance)
           + ", overdraft " + std::to_string(account.overdraft_limit) + ", held "
           + std::to_string(account.held) + ")";
  }
  return std::nullopt;
}

std::optional<std::string> broken_order_invariant(const memory_database& database,
                                                  const order_record& order) {
  auto sum = [](const std::map<order_id, std::int64_t>& sums, const order_id& id) {
    auto found = sums.find(id);
    return found == sums.end() ? std::int64_t{0} : found->second;
  };
  if (order.amount_refunded < 0 || order.amount_refunded > order.amount_captured
      || order.amount_captured > order.amount_authorized || order.amount_authorized > order.amount) {
    return order.id.value + ": amounts out of order (authorized " + std::to_string(order.amount_authorized)
           + ", captured " + std::to_string(order.amount_captured) + ", refunded "
           + std::to_string(order.amount_refunded) + " of " + std::to_string(order.amount) + ")";
  }
  if (sum(database.captured_by_order, order.id) != order.amount_captured
      || sum(database.refunded_by_order, order.id) != order.amount_refunded) {
    return order.id.value + ": its capture and refund transfers do not add up to the order's amounts";
  }
  return std::nullopt;
}

std::optional<std::string> broken_transfer_invariant(const memory_database& database,
                                                     const transfer_record& transfer) {
  const auto& from = database.accounts.at(transfer.from_account);
  const auto& to = database.accounts.at(transfer.to_account);
  if (from.currency != transfer.currency || to.currency != transfer.currency) {
    return transfer.id.value + " (" + to_string(transfer.kind) + " \"" + transfer.description + "\" order "
           + transfer.order_id.value + "): " + transfer.currency + " moved from " + from.id.value + " (" + from.currency
           + ") to " + to.id.value + " (" + to.currency + ")";
  }
  if (from.id == to.id) {
    return transfer.id.value + ": from and to the same account";
  }
  return std::nullopt;
}

} // namespace

std::optional<std::string> broken_invariant(const memory_database& database) {
  for (const auto& [id, transfer] : database.transfers) {
    if (auto broken = broken_transfer_invariant(database, transfer)) {
      return broken;
    }
  }
  std::map<std::string, std::int64_t> sum_by_currency;
  std::map<account_id, std::int64_t> held_by_orders;
  for (const auto& [id, order] : database.orders) {
    if (order.status == order_status::authorized) {
      held_by_orders[order.payer_account] += order.amount_authorized;
    }
    if (auto broken = broken_order_invariant(database, order)) {
      return broken;
    }
  }
  for (const auto& [id, account] : database.accounts) {
    sum_by_currency[account.currency] += account.balance;
    if (auto broken = broken_account_invariant(database, account, held_by_orders[id])) {
      return broken;
    }
  }
  for (const auto& [currency, sum] : sum_by_currency) {
    if (sum != 0) {
      return "the balances of " + currency + " sum to " + std::to_string(sum);
    }
  }
  return std::nullopt;
}

} // namespace settle::simulation
