#!/usr/bin/env bash
# The second half of `make test`: the C++ tests again, built with AddressSanitizer and
# UndefinedBehaviorSanitizer (the asan preset): unit, integration (both databases and the
# cluster) and the fuzz corpora. The walkthroughs and the browser test drive the same
# binary from outside and are not run again. Then ThreadSanitizer (the tsan preset) on the
# unit tests and 100 seeds of the simulation. Every process writes its sanitizer reports
# to a file (a settled started by a test has no terminal, and a leak is reported only at
# its exit), and any report fails the run, whatever the tests said.
#
# Not under ThreadSanitizer: the unit tests tagged [actors], which run CAF's threaded
# scheduler. Debian's CAF 0.17.6 is not built with TSan, so the hand-off of a message
# from one thread's mailbox push to another's pop is invisible to it, and every message
# between threads reads as a race (a run of them gave ~150 reports, each with CAF's
# enqueue or an actor's destructor on one side and the message's own fields on the
# other). The simulation runs the same actors on CAF's deterministic scheduler, and the
# rest of the unit tests (Asio, the stores, the HTTP layer) run with no such gap.
# Usage: scripts/test-sanitizers.sh [JOBS]
set -euo pipefail
cd "$(dirname "$0")/.."
jobs="${1:-2}"
test -f build/asan/build.ninja || cmake --preset asan
cmake --build build/asan -j "$jobs"
reports="$PWD/build/asan/sanitizer-reports"
rm -rf "$reports"
mkdir -p "$reports"
status=0
ASAN_OPTIONS="log_path=$reports/asan" UBSAN_OPTIONS="print_stacktrace=1:log_path=$reports/ubsan" \
  scripts/with-postgres.sh ctest --test-dir build/asan --output-on-failure -j "$jobs" \
  -E '^(examples_|browser_)' || status=$?
test -f build/tsan/build.ninja || cmake --preset tsan
cmake --build build/tsan -j "$jobs" --target settle_unit_tests settle_simulation
TSAN_OPTIONS="log_path=$reports/tsan halt_on_error=0" \
  scripts/with-postgres.sh build/tsan/tests/unit/settle_unit_tests "~[actors]" || status=$?
TSAN_OPTIONS="log_path=$reports/tsan halt_on_error=0" \
  build/tsan/tests/simulation/settle_simulation --seeds 100 --steps 3000 || status=$?
if compgen -G "$reports/*" >/dev/null; then
  echo "test-sanitizers: reports in $reports:" >&2
  head -n 80 "$reports"/* >&2
  exit 1
fi
exit "$status"
