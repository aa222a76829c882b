// The simulation's only source of randomness: a seed decides every choice, so a seed
// replays exactly. SplitMix64, written out so that the sequence is the same with any
// standard library.
#pragma once

#include <cstdint>

namespace settle::simulation {

class seeded_random {
public:
  explicit seeded_random(std::uint64_t seed) noexcept : state_(seed) {}

  std::uint64_t next() noexcept {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }

  // A number in [0, bound); bound > 0.
  std::uint64_t below(std::uint64_t bound) noexcept { return next() % bound; }

  // A number in [low, high].
  std::int64_t between(std::int64_t low, std::int64_t high) noexcept {
    return low + static_cast<std::int64_t>(below(static_cast<std::uint64_t>(high - low) + 1));
  }

  // True with probability `percent` / 100.
  bool percent(std::uint64_t percent) noexcept { return below(100) < percent; }

  template <class Container>
  auto& pick(Container& items) noexcept {
    return items[below(items.size())];
  }

private:
  std::uint64_t state_;
};

} // namespace settle::simulation
