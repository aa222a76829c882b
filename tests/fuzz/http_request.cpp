// The HTTP request path up to the command, as a stranger drives it: the input is
// "METHOD TARGET\nBODY". The target is split and percent-decoded, the route matched, and
// the endpoint's builder reads the path, the query and the strict JSON body into a
// validated command or a failure. Neither may crash, read out of bounds or overflow.
#include "domain/money.hpp"
#include "domain/validation.hpp"
#include "net/api_commands.hpp"
#include "net/router.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <variant>

namespace {

// What the builders promise the money path: a transfer or batch item they pass on has an
// amount in range, and a batch holds 1 to maximum_batch_items items.
void check_command(const settle::net::built_command& built) {
  const auto* command = std::get_if<settle::command>(&built);
  if (command == nullptr) {
    return;
  }
  if (const auto* transfer = std::get_if<settle::create_transfer_command>(command)) {
    if (!settle::is_valid_amount(transfer->amount)) {
      std::abort();
    }
  }
  if (const auto* batch = std::get_if<settle::transfer_batch_command>(command)) {
    if (batch->items.empty() || batch->items.size() > settle::maximum_batch_items) {
      std::abort();
    }
    for (const auto& item : batch->items) {
      if (!item.invalid && !settle::is_valid_amount(item.transfer.amount)) {
        std::abort();
      }
    }
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const bool currencies = [] {
    settle::net::set_accepted_currencies({"USD", "EUR", "JPY", "BHD"});
    return true;
  }();
  (void)currencies;
  std::string_view text{reinterpret_cast<const char*>(data), size};
  auto line_end = text.find('\n');
  auto line = text.substr(0, line_end);
  auto body = line_end == std::string_view::npos ? std::string_view{} : text.substr(line_end + 1);
  auto space = line.find(' ');
  if (space == std::string_view::npos) {
    return 0;
  }
  std::string path;
  settle::net::query_parameters query;
  if (!settle::net::split_target(line.substr(space + 1), path, query)) {
    return 0;
  }
  auto match = settle::net::match_route(line.substr(0, space), path);
  if (match.matched == nullptr || match.matched->build == nullptr) {
    return 0;
  }
  settle::net::route_input input{match.path_parameters, query, body};
  check_command(match.matched->build(input));
  return 0;
}
