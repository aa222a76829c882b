#!/usr/bin/env bash
# The runs of bench/alternate, with SETTLE_TEST_POSTGRES_DSN set by with-postgres.sh.
set -euo pipefail
duration=${DURATION:-10}
connections=${CONNECTIONS:-32}
accounts=${ACCOUNTS:-1000}
rounds=${ROUNDS:-3}
read -r -a options_a <<<"${OPTIONS_A:-}"
read -r -a options_b <<<"${OPTIONS_B:-}"
binary_a="${BINARY_A:-$PWD/build/release/settled/settled}"
binary_b="${BINARY_B:-$PWD/build/release/settled/settled}"
work="$(mktemp -d)"
dsn="$SETTLE_TEST_POSTGRES_DSN"
admin_dsn="${dsn%/*}/postgres"
server=""
trap 'stop_settled; stop_delay_proxy; rm -rf "$work"' EXIT

source bench/lib.sh
source scripts/free-port.sh

# One run: a fresh database, settled with the options given, the four cases.
run() {
  local label="$1" binary="$2"
  shift 2
  psql -q "$admin_dsn" -c "DROP DATABASE IF EXISTS settle_alternate" \
       -c "CREATE DATABASE settle_alternate" >/dev/null
  start_settled "${database_dsn%/*}/settle_alternate" "$@"
  create_accounts
  settle_case random transfer 1 "$duration"
  keyed_case keyed
  settle_case hot hot 1 "$duration"
  settle_case batch batch 1000 "$duration"
  stop_settled
  printf '| %s | %s | %s | %s | %s / %s µs | %s | %s / %s µs | %s | %s | %s |\n' "$label" \
    "${result[random]}" "${result[random_p99]}" "${result[hot]}" "${result[random_settled_us]}" \
    "${result[random_statement_us]}" "${result[keyed]}" "${result[keyed_settled_us]}" \
    "${result[keyed_statement_us]}" "${result[keyed_lookup]}" "${result[batch]}" \
    "${result[batch_settled_us]} / ${result[batch_statement_us]} µs"
}

if [[ "$delay_ms" != 0 ]]; then
  start_delay_proxy
fi
{
  echo "# bench/alternate — $(date -u +%Y-%m-%dT%H:%M:%SZ), commit $(git describe --always --dirty)"
  echo "A: $binary_a ${OPTIONS_A:-(defaults)}; B: $binary_b ${OPTIONS_B:-(defaults)}; $connections connections, ${duration} s per case, $accounts accounts, $(nproc) cores; PostgreSQL $(if [[ "$delay_ms" != 0 ]]; then echo "through bench/delay_proxy, ${delay_ms} ms each way"; else echo "on loopback"; fi)."
  echo
  echo "| run | random transfers/s | random p99 ms | hot transfers/s | random: settled CPU / statements per transfer | random, each with an Idempotency-Key: transfers/s | keyed: settled CPU / statements per transfer | keyed: keys per database lookup | batch transfers/s | batch: settled CPU / statements per transfer |"
  echo "|---|---|---|---|---|---|---|---|---|---|"
  for round in $(seq 1 "$rounds"); do
    run "A $round" "$binary_a" "${options_a[@]}"
    run "B $round" "$binary_b" "${options_b[@]}"
  done
} | tee "$work/table"
mkdir -p bench/results
file="bench/results/alternate-$(date -u +%Y%m%d-%H%M%S).md"
cp "$work/table" "$file"
echo "written to $file"
