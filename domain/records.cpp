// Names of the domain's enumerations as the API spells them.
#include "domain/records.hpp"

namespace settle {

const char* to_string(transfer_kind kind) noexcept {
  switch (kind) {
    case transfer_kind::deposit:
      return "deposit";
    case transfer_kind::withdrawal:
      return "withdrawal";
    case transfer_kind::transfer:
      return "transfer";
    case transfer_kind::capture:
      return "capture";
    case transfer_kind::refund:
      return "refund";
  }
  return "transfer";
}

const char* to_string(account_status status) noexcept {
  return status == account_status::open ? "open" : "closed";
}

} // namespace settle
