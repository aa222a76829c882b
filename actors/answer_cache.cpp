#include "actors/answer_cache.hpp"

namespace settle {
namespace {

std::size_t bytes_of(const std::string& slot, const persistence::idempotency_record& record) {
  constexpr std::size_t overhead = 160;
  return 2 * slot.size() + record.tenant.value.size() + record.key.size()
         + record.fingerprint.size() + record.body.size() + overhead;
}

} // namespace

std::string idempotency_slot(const tenant_name& tenant, const std::string& key) {
  return tenant.value + '\n' + key;
}

void answer_cache::remember(const persistence::idempotency_record& record) {
  auto slot = idempotency_slot(record.tenant, record.key);
  auto bytes = bytes_of(slot, record);
  auto [found, inserted] = answers_.try_emplace(slot);
  if (inserted) {
    order_.push_back(slot);
  } else {
    bytes_ -= found->second.bytes;
  }
  found->second = entry{record, bytes};
  bytes_ += bytes;
  while (bytes_ > byte_limit_ && !order_.empty()) {
    auto oldest = answers_.find(order_.front());
    bytes_ -= oldest->second.bytes;
    answers_.erase(oldest);
    order_.pop_front();
  }
}

const persistence::idempotency_record* answer_cache::find(const tenant_name& tenant,
                                                          const std::string& key) const {
  auto found = answers_.find(idempotency_slot(tenant, key));
  return found == answers_.end() ? nullptr : &found->second.record;
}

} // namespace settle
