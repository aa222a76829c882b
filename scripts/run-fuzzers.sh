#!/usr/bin/env bash
# Runs every libFuzzer binary of FOLDER (fuzz_*) for SECONDS each, one after another,
# starting from its corpus in tests/fuzz/corpus/<target>; new inputs that reach new code
# are merged into that corpus (a minimal set). A crash stops the run: its input is kept
# in build/fuzz/crashes/ and the target's output names it.
# Usage: scripts/run-fuzzers.sh FOLDER SECONDS [TARGET...]   (no TARGET: every fuzz_* of FOLDER)
set -euo pipefail
cd "$(dirname "$0")/.."
folder="$1"
seconds="$2"
shift 2
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for binary in "$folder"/fuzz_*; do targets+=("${binary##*/fuzz_}"); done
fi
if ! [[ "$seconds" =~ ^[1-9][0-9]*$ ]]; then
  echo "run-fuzzers: SECONDS must be a whole number of at least 1 (libFuzzer takes 0 as no limit)" >&2
  exit 2
fi
# Every target checked before any runs: a name without its binary would run nothing, and
# the merge below would then empty that target's corpus.
for target in "${targets[@]}"; do
  if [[ ! -x "$folder/fuzz_$target" || ! -d "tests/fuzz/corpus/$target" ]]; then
    echo "run-fuzzers: no fuzz target '$target' (no $folder/fuzz_$target or tests/fuzz/corpus/$target)" >&2
    exit 2
  fi
done
crashes="build/fuzz/crashes"
mkdir -p "$crashes"
for target in "${targets[@]}"; do
  binary="$folder/fuzz_$target"
  corpus="tests/fuzz/corpus/$target"
  found="$(mktemp -d)"
  echo "== $target: ${seconds} s"
  # -timeout, -report_slow_units: no input takes more than milliseconds; 30 s flags a
  # hang, while a run that shares the machine with a build is not flagged (10 s limits
  # fired twice at nice 19 during builds, on inputs that take 4-6 ms).
  "$binary" -max_total_time="$seconds" -max_len=65536 -timeout=30 -report_slow_units=30 -rss_limit_mb=2048 \
            -artifact_prefix="$crashes/$target-" -print_final_stats=1 "$found" "$corpus" 2>&1 \
    | grep -E "^(#[0-9]+ +DONE|stat::number_of_executed_units|==[0-9]+==ERROR|SUMMARY|artifact_prefix|Test unit written)" || true
  if compgen -G "$crashes/$target-*" >/dev/null; then
    echo "$target: crash inputs in $crashes" >&2
    exit 1
  fi
  # Keep a minimal set that covers what the corpus and the new finds cover; the seeds
  # (seed-*) and the inputs of fixed crashes (regression-*) stay whatever they add.
  minimal="$(mktemp -d)"
  "$binary" -merge=1 "$minimal" "$corpus" "$found" 2>&1 | grep -E "MERGE-OUTER: [0-9]+ new files" || true
  find "$corpus" -type f ! -name 'seed-*' ! -name 'regression-*' -delete
  find "$minimal" -type f -exec cp -n {} "$corpus/" \;
  rm -rf "$found" "$minimal"
done
