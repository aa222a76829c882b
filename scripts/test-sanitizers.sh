#!/usr/bin/env bash
# The second half of `make test`: the C++ tests again, built with AddressSanitizer and
# UndefinedBehaviorSanitizer (the asan preset): unit, integration (both databases and the
# cluster) and the fuzz corpora. The walkthroughs and the browser test drive the same
# binary from outside and are not run again. Every process writes its sanitizer reports
# to a file (a settled started by a test has no terminal, and a leak is reported only at
# its exit), and any report fails the run, whatever the tests said.
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
if compgen -G "$reports/*" >/dev/null; then
  echo "test-sanitizers: reports in $reports:" >&2
  head -n 80 "$reports"/* >&2
  exit 1
fi
exit "$status"
