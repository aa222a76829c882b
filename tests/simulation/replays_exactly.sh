#!/usr/bin/env bash
# A seed replays exactly: two runs of the same seeds print the same lines, database
# digests included. Usage: replays_exactly.sh SIMULATION_BINARY
set -euo pipefail
first="$("$1" --seed 11)"
second="$("$1" --seed 11)"
echo "$first"
if [[ "$first" != "$second" ]]; then
  echo "the second run of seed 11 differs:" >&2
  echo "$second" >&2
  exit 1
fi
