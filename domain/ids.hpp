// Strong id types and their generation. Ids are opaque strings with a type prefix
// (`usr_`, `acc_`, `trf_`, `ord_`, `ent_`, `whe_`, `whd_`); clients never construct them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace settle {

// A string id that cannot be mixed up with an id of another kind: made from text only
// explicitly (`account_id{text}`), read as text only explicitly (`.value`), compared
// only with an id of its own kind. So a tenant, an account id and an order id cannot
// be passed one for another.
template <class Tag>
struct strong_id {
  std::string value;

  bool empty() const noexcept { return value.empty(); }

  friend bool operator==(const strong_id& a, const strong_id& b) { return a.value == b.value; }
  friend bool operator!=(const strong_id& a, const strong_id& b) { return a.value != b.value; }
  friend bool operator<(const strong_id& a, const strong_id& b) { return a.value < b.value; }
};

// CAF serializes an id as its text (found by argument-dependent lookup).
template <class Inspector, class Tag>
typename Inspector::result_type inspect(Inspector& inspector, strong_id<Tag>& id) {
  return inspector(id.value);
}

using user_id = strong_id<struct user_id_tag>;
using account_id = strong_id<struct account_id_tag>;
using transfer_id = strong_id<struct transfer_id_tag>;
using entry_id = strong_id<struct entry_id_tag>;
using order_id = strong_id<struct order_id_tag>;
using webhook_endpoint_id = strong_id<struct webhook_endpoint_id_tag>;
using webhook_delivery_id = strong_id<struct webhook_delivery_id_tag>;

// Everything a key creates belongs to its tenant, named in the key table.
using tenant_name = strong_id<struct tenant_name_tag>;

// The longest id accepted anywhere.
inline constexpr std::size_t maximum_id_length = 64;

// A new id: the prefix, then 8 base-62 characters of the milliseconds since the Unix
// epoch (so ids of a kind sort by creation time, to the millisecond), then 14 random
// base-62 characters (about 83 bits, so ids stay unguessable and never collide).
inline constexpr std::size_t id_time_characters = 8;
inline constexpr std::size_t id_random_characters = 14;
std::string generate_id(std::string_view prefix);

// The deterministic simulation draws the random part of ids from its seed (with the
// time part from its virtual clock, see use_time_source); nullptr restores each
// thread's generator seeded by the operating system. A running node never calls it.
using random_source = std::uint64_t (*)() noexcept;
void use_random_source(random_source source) noexcept;

// True when `text` could be an id with this prefix: the prefix, then at least one
// character of [A-Za-z0-9_], at most maximum_id_length characters in all.
bool looks_like_id(std::string_view text, std::string_view prefix) noexcept;

// The shard an entity belongs to: a stable hash of its id, modulo the shard count
// (which must not be 0).
std::uint32_t shard_of(std::string_view id, std::uint32_t shard_count) noexcept;
template <class Tag>
std::uint32_t shard_of(const strong_id<Tag>& id, std::uint32_t shard_count) noexcept {
  return shard_of(std::string_view{id.value}, shard_count);
}

} // namespace settle

template <class Tag>
struct std::hash<settle::strong_id<Tag>> {
  std::size_t operator()(const settle::strong_id<Tag>& id) const noexcept {
    return std::hash<std::string>{}(id.value);
  }
};
