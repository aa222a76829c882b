// Wall-clock time as milliseconds since the Unix epoch, its RFC 3339 form, and the
// creation ordinal that orders lists exactly, even within one millisecond.
#pragma once

#include <cstdint>
#include <string>

namespace settle {

std::int64_t now_milliseconds() noexcept;

// The deterministic simulation (tests/simulation) runs the actors on a virtual clock,
// so that a seed replays exactly; nullptr (the default) restores the wall clock. A
// running node never calls it.
using time_source = std::int64_t (*)() noexcept;
void use_time_source(time_source source) noexcept;

// "2026-11-27T10:00:00.123Z"
std::string format_timestamp(std::int64_t milliseconds_since_epoch);

// Issues strictly increasing ordinals: milliseconds * 4096 plus a counter, never less
// than one more than the last ordinal issued (or observed in storage at start).
// Not thread-safe: each owner (one actor) keeps its own. In a cluster each node issues
// only ordinals congruent to its slot modulo 16, so two nodes never issue the same one;
// a single node has no slot (-1) and issues every value.
class ordinal_clock {
public:
  static constexpr std::int64_t slots = 16;

  explicit ordinal_clock(std::int64_t last_issued = 0, std::int64_t slot = -1) noexcept
    : last_(last_issued), slot_(slot) {}
  std::int64_t next() noexcept;
  void observe(std::int64_t ordinal) noexcept;
  void use_slot(std::int64_t slot) noexcept { slot_ = slot; }

private:
  std::int64_t last_;
  std::int64_t slot_;
};

} // namespace settle
