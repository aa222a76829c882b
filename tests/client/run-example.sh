#!/usr/bin/env bash
# Runs examples/client (settle_client_example) against a real settled on a fresh SQLite
# file, with the admin key the server prints, and checks what it prints: the objects it
# made, the refused overdraw, the balances, and the events read from the stream.
#   run-example.sh SETTLED_BINARY EXAMPLE_BINARY
set -euo pipefail
binary="$1"
example="$2"
source "$(cd "$(dirname "$0")" && pwd)/../lib/settled.sh"
work="$settled_work"

settled_start "$binary" http
timeout 60 "$example" "$settled_url" "$settled_key" | tee "$work/example"

expect() {
  if ! grep -Eq "$1" "$work/example"; then
    echo "the example's output lacks a line matching: $1" >&2
    exit 1
  fi
}
expect '^user usr_[A-Za-z0-9]+ Ada Lovelace$'
expect '^accounts acc_[A-Za-z0-9]+ acc_[A-Za-z0-9]+$'
expect '^deposit trf_[A-Za-z0-9]+ 10000 USD$'
expect '^transfer trf_[A-Za-z0-9]+ 2500 USD settled \(Idempotency-Key settle-cpp-[0-9a-f]{32}\)$'
expect '^overdraw refused: 402 insufficient_funds$'
expect '^balances 7500 2500$'
expect '^event [0-9]+ account.created acc_'
expect '^event [0-9]+ account.updated acc_[A-Za-z0-9]+ balance 10000 held 0$'
# The transfer's own event, with the id the example printed for it.
transfer_id="$(grep -o '^transfer trf_[A-Za-z0-9]*' "$work/example" | cut -d' ' -f2)"
expect "^event [0-9]+ transfer.settled $transfer_id transfer 2500 USD$"
echo "the client example printed what it should"
