// settle_simulation [--seeds N] [--first S] [--seed S] [--steps K] [--verbose]
// Runs the deterministic simulation for seeds S .. S+N-1 (or the one --seed), and
// prints each failure with its seed and the command that replays it exactly.
// Exit status: 0 all passed, 1 a seed failed, 2 bad arguments.
#include "simulation.hpp"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>

namespace {

struct arguments {
  std::uint64_t first = 1;
  std::uint64_t seeds = 100;
  std::size_t steps = 3000;
  bool verbose = false; // keep the node's own messages (stderr)
};

std::optional<std::uint64_t> number(const char* text) {
  if (text == nullptr || *text < '0' || *text > '9') {
    return std::nullopt;
  }
  char* end = nullptr;
  auto value = std::strtoull(text, &end, 10);
  if (*end != '\0') {
    return std::nullopt;
  }
  return value;
}

std::optional<arguments> parse(int argc, char** argv) {
  arguments parsed;
  for (int index = 1; index < argc; ++index) {
    if (std::strcmp(argv[index], "--verbose") == 0) {
      parsed.verbose = true;
      continue;
    }
    auto value = number(index + 1 < argc ? argv[index + 1] : nullptr);
    if (!value) {
      return std::nullopt;
    }
    if (std::strcmp(argv[index], "--seeds") == 0) {
      parsed.seeds = *value;
    } else if (std::strcmp(argv[index], "--first") == 0) {
      parsed.first = *value;
    } else if (std::strcmp(argv[index], "--seed") == 0) {
      parsed.first = *value;
      parsed.seeds = 1;
    } else if (std::strcmp(argv[index], "--steps") == 0) {
      parsed.steps = static_cast<std::size_t>(*value);
    } else {
      return std::nullopt;
    }
    ++index;
  }
  return parsed;
}

} // namespace

int main(int argc, char** argv) {
  auto parsed = parse(argc, argv);
  if (!parsed) {
    std::fprintf(stderr, "usage: %s [--seeds N] [--first S] [--seed S] [--steps K] [--verbose]\n", argv[0]);
    return 2;
  }
  if (!parsed->verbose && std::freopen("/dev/null", "w", stderr) == nullptr) {
    return 2;
  }
  using settle::simulation::simulate;
  settle::simulation::simulation_report total;
  std::uint64_t failed = 0;
  for (std::uint64_t seed = parsed->first; seed < parsed->first + parsed->seeds; ++seed) {
    auto report = simulate({seed, parsed->steps});
    if (report.violation) {
      ++failed;
      std::printf("seed %llu FAILED at step %zu: %s\n  replay: tests/simulation/run --seed %llu --steps %zu\n",
                  static_cast<unsigned long long>(seed), report.failed_at_step,
                  report.violation->c_str(), static_cast<unsigned long long>(seed), parsed->steps);
      std::fflush(stdout);
    }
    if (parsed->seeds == 1) {
      std::printf("seed %llu: database digest %016llx\n", static_cast<unsigned long long>(seed),
                  static_cast<unsigned long long>(report.database_digest));
    }
    total.steps += report.steps;
    total.messages += report.messages;
    total.timers += report.timers;
    total.requests += report.requests;
    total.answered += report.answered;
    total.crashes += report.crashes;
    for (const auto& [status, count] : report.answers_by_status) {
      total.answers_by_status[status] += count;
    }
    total.invariant_checks += report.invariant_checks;
    total.faults.groups += report.faults.groups;
    total.faults.refused += report.faults.refused;
    total.faults.in_doubt_committed += report.faults.in_doubt_committed;
    total.faults.in_doubt_not_committed += report.faults.in_doubt_not_committed;
  }
  std::printf("%llu seeds from %llu, %llu failed: %zu steps, %zu messages, %zu timers, %zu requests "
              "(%zu answered by a live node), %zu crashes, %zu invariant checks; %llu groups "
              "committed or tried, %llu refused, %llu in doubt and committed, %llu in doubt and "
              "not committed\n",
              static_cast<unsigned long long>(parsed->seeds),
              static_cast<unsigned long long>(parsed->first), static_cast<unsigned long long>(failed),
              total.steps, total.messages, total.timers, total.requests, total.answered,
              total.crashes, total.invariant_checks,
              static_cast<unsigned long long>(total.faults.groups),
              static_cast<unsigned long long>(total.faults.refused),
              static_cast<unsigned long long>(total.faults.in_doubt_committed),
              static_cast<unsigned long long>(total.faults.in_doubt_not_committed));
  std::printf("answers by status:");
  for (const auto& [status, count] : total.answers_by_status) {
    std::printf(" %u: %zu", status, count);
  }
  std::printf("\n");
  return failed == 0 ? 0 : 1;
}
