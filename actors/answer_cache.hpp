// The idempotency guard's cache of recently stored answers, bounded in bytes (a count of
// entries bounded nothing: 100,000 answers of up to ~140 KB each could hold gigabytes).
// The oldest answers leave first; the database keeps every answer for the retention.
#pragma once

#include "persistence/write_set.hpp"

#include <cstddef>
#include <deque>
#include <string>
#include <unordered_map>

namespace settle {

// One string per tenant and key ("tenant\nkey": neither holds a newline).
std::string idempotency_slot(const tenant_name& tenant, const std::string& key);

class answer_cache {
public:
  explicit answer_cache(std::size_t byte_limit) : byte_limit_(byte_limit) {}

  // Keeps `record` under its tenant and key (replacing an earlier one), then drops the
  // oldest answers until the cache is within its limit again.
  void remember(const persistence::idempotency_record& record);

  // The answer under `tenant` and `key`, or null.
  const persistence::idempotency_record* find(const tenant_name& tenant,
                                              const std::string& key) const;

  // What the answers held now cost, roughly: their strings and the containers' nodes.
  std::size_t bytes() const noexcept { return bytes_; }
  std::size_t size() const noexcept { return answers_.size(); }

private:
  struct entry {
    persistence::idempotency_record record;
    std::size_t bytes = 0;
  };

  std::size_t byte_limit_;
  std::unordered_map<std::string, entry> answers_; // by "tenant\nkey"
  std::deque<std::string> order_;                  // oldest first
  std::size_t bytes_ = 0;
};

} // namespace settle
