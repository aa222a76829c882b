// Id generation (time-ordered, then random) and the stable hash that places ids on shards.
#include "domain/ids.hpp"

#include "domain/clock.hpp"

#include <array>
#include <atomic>
#include <random>

namespace settle {
namespace {

constexpr std::string_view base62_alphabet =
  "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

// Each thread has its own generator, seeded from the operating system, so id
// generation needs no lock.
std::mt19937_64& thread_generator() {
  thread_local std::mt19937_64 generator{[] {
    std::random_device device;
    std::seed_seq seed{device(), device(), device(), device(), device(), device()};
    return std::mt19937_64{seed};
  }()};
  return generator;
}

std::atomic<random_source> installed_random_source{nullptr};

bool is_id_character(char c) noexcept {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

} // namespace

std::string generate_id(std::string_view prefix) {
  std::string id{prefix};
  id.reserve(prefix.size() + id_time_characters + id_random_characters);
  // The time part, most significant character first: the alphabet is in ASCII order, so
  // ids sort by creation time, and a B-tree over them grows at its right edge instead of
  // touching a random page per insert (entries and transfers are inserted by the
  // thousand per second).
  auto milliseconds = static_cast<std::uint64_t>(now_milliseconds());
  std::array<char, id_time_characters> time_part{};
  for (std::size_t i = id_time_characters; i-- > 0;) {
    time_part[i] = base62_alphabet[milliseconds % 62];
    milliseconds /= 62;
  }
  id.append(time_part.data(), time_part.size());
  auto source = installed_random_source.load(std::memory_order_relaxed);
  std::uint64_t bits = 0;
  for (std::size_t i = 0; i < id_random_characters; ++i) {
    if (i % 10 == 0) {
      bits = source ? source() : thread_generator()();
    }
    id.push_back(base62_alphabet[bits % 62]);
    bits /= 62;
  }
  return id;
}

void use_random_source(random_source source) noexcept {
  installed_random_source.store(source, std::memory_order_relaxed);
}

bool looks_like_id(std::string_view text, std::string_view prefix) noexcept {
  if (text.size() <= prefix.size() || text.size() > maximum_id_length) {
    return false;
  }
  if (text.substr(0, prefix.size()) != prefix) {
    return false;
  }
  for (char c : text.substr(prefix.size())) {
    if (!is_id_character(c)) {
      return false;
    }
  }
  return true;
}

std::uint32_t shard_of(std::string_view id, std::uint32_t shard_count) noexcept {
  // FNV-1a: stable across processes and builds, unlike std::hash.
  std::uint64_t hash = 14695981039346656037ull;
  for (unsigned char c : id) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  return static_cast<std::uint32_t>(hash % shard_count);
}

} // namespace settle
