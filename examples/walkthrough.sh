#!/usr/bin/env bash
# A walk through Settle's HTTP API with curl, against a running node.
#
#   API_KEY=... [BASE_URL=http://127.0.0.1:8080] examples/walkthrough.sh
#
# Creates a user and two USD accounts, deposits, transfers with an Idempotency-Key and
# replays it, reads the accounts and the ledger, tries an overdraw, withdraws, takes an
# order from authorization through capture to a refund, and (with an admin key) audits
# the ledger. Each request and answer is printed briefly; the script
# stops with a non-zero exit status at the first unexpected HTTP status or balance.
# Needs bash and curl only (no jq).
set -euo pipefail

BASE_URL="${BASE_URL:-http://127.0.0.1:8080}"
BASE_URL="${BASE_URL%/}"
if [[ -z "${API_KEY:-}" ]]; then
  echo "usage: API_KEY=<key> [BASE_URL=$BASE_URL] $0" >&2
  echo "(settled prints a random admin key at start when it has no --auth.keys-file)" >&2
  exit 2
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

STATUS=""   # HTTP status of the last request
BODY=""     # body of the last answer
HEADERS=""  # response headers of the last answer

# call METHOD PATH EXPECTED_STATUS[,OTHER...] [JSON_BODY] [EXTRA_HEADER...]
# Sends one request, prints it and the answer, and fails unless the status is expected.
call() {
  local method="$1" path="$2" expected="$3" body="${4:-}"
  shift 3
  if (( $# > 0 )); then shift; fi
  local args=(-sS -X "$method" -o "$work/body" -D "$work/headers" -w '%{http_code}'
              -H "Authorization: Bearer $API_KEY")
  if [[ -n "$body" ]]; then
    args+=(-H 'Content-Type: application/json' --data-binary "$body")
  fi
  local header
  for header in "$@"; do
    args+=(-H "$header")
  done

  echo
  echo "> $method $path${body:+ $body}"
  for header in "$@"; do echo "> $header"; done
  if ! STATUS="$(curl "${args[@]}" "$BASE_URL$path")"; then
    echo "!! cannot reach $BASE_URL" >&2
    exit 1
  fi
  BODY="$(cat "$work/body")"
  HEADERS="$(tr -d '\r' < "$work/headers")"

  local replayed
  replayed="$(header_value Idempotent-Replayed)"
  echo "< $STATUS${replayed:+ (Idempotent-Replayed: $replayed)} $(brief "$BODY")"
  if [[ ",$expected," != *",$STATUS,"* ]]; then
    echo "!! expected HTTP $expected, got $STATUS" >&2
    exit 1
  fi
}

# The first 240 characters of a text, on one line, runs of blanks squeezed.
brief() {
  local text
  text="$(printf '%s' "$1" | tr -s ' \t\r\n' '    ')"
  if (( ${#text} > 240 )); then
    text="${text:0:240}..."
  fi
  printf '%s' "$text"
}

# header_value NAME: the value of a response header of the last answer (empty if absent).
header_value() {
  printf '%s\n' "$HEADERS" | grep -i "^$1:" | head -n 1 | sed 's/^[^:]*:[[:space:]]*//' || true
}

# string_field NAME: the first string value of "NAME" in the last body.
string_field() {
  printf '%s' "$BODY" | grep -o "\"$1\"[[:space:]]*:[[:space:]]*\"[^\"]*\"" | head -n 1 \
    | sed 's/.*:[[:space:]]*"\([^"]*\)"$/\1/' || true
}

# number_field NAME: the first integer value of "NAME" in the last body.
number_field() {
  printf '%s' "$BODY" | grep -o "\"$1\"[[:space:]]*:[[:space:]]*-\{0,1\}[0-9]*" | head -n 1 \
    | sed 's/.*:[[:space:]]*//' || true
}

# expect_equal WHAT ACTUAL EXPECTED
expect_equal() {
  if [[ "$2" != "$3" ]]; then
    echo "!! $1: expected $3, got '${2}'" >&2
    exit 1
  fi
  echo "   ok: $1 = $2"
}

step() { echo; echo "== $*"; }

run_id="$(date +%s)-$$-$RANDOM"

step "1. Create a user"
call POST /v1/users 201 "{\"name\":\"Walkthrough User\",\"email\":\"walkthrough+$run_id@example.com\"}"
user_id="$(string_field id)"
echo "   user: $user_id"

step "2. Open two USD accounts"
call POST /v1/accounts 201 "{\"user_id\":\"$user_id\",\"currency\":\"USD\"}"
payer="$(string_field id)"
call POST /v1/accounts 201 "{\"user_id\":\"$user_id\",\"currency\":\"USD\"}"
payee="$(string_field id)"
echo "   accounts: $payer (payer), $payee (payee)"

step "3. Deposit 10000 (100.00 USD) into the payer"
call POST "/v1/accounts/$payer/deposits" 201 '{"amount":10000}'
expect_equal "deposit kind" "$(string_field kind)" deposit

step "4. Transfer 2500 to the payee, with an Idempotency-Key"
key="walkthrough-$run_id"
transfer_body="{\"from_account\":\"$payer\",\"to_account\":\"$payee\",\"amount\":2500,\"currency\":\"USD\",\"description\":\"walkthrough\"}"
call POST /v1/transfers 201 "$transfer_body" "Idempotency-Key: $key"
transfer_id="$(string_field id)"
if [[ -n "$(header_value Idempotent-Replayed)" ]]; then
  echo "!! the first answer must not carry Idempotent-Replayed" >&2
  exit 1
fi

step "5. Send the same request again: the first answer is replayed, nothing moves twice"
call POST /v1/transfers 201 "$transfer_body" "Idempotency-Key: $key"
expect_equal "Idempotent-Replayed" "$(header_value Idempotent-Replayed)" true
expect_equal "replayed transfer id" "$(string_field id)" "$transfer_id"

step "6. Read both accounts"
call GET "/v1/accounts/$payer" 200
expect_equal "payer balance" "$(number_field balance)" 7500
call GET "/v1/accounts/$payee" 200
expect_equal "payee balance" "$(number_field balance)" 2500

step "7. List the payer's ledger entries (newest first)"
call GET "/v1/accounts/$payer/entries?limit=10" 200
entries="$(printf '%s' "$BODY" | grep -o '"object"[[:space:]]*:[[:space:]]*"entry"' | wc -l | tr -d ' ')"
expect_equal "payer entries (deposit, transfer)" "$entries" 2
expect_equal "newest entry amount" "$(number_field amount)" -2500

step "8. Try to overdraw the payer: refused with 402, nothing changes"
call POST /v1/transfers 402 "{\"from_account\":\"$payer\",\"to_account\":\"$payee\",\"amount\":1000000,\"currency\":\"USD\"}"
expect_equal "error code" "$(string_field code)" insufficient_funds

step "9. Withdraw 1000 from the payee"
call POST "/v1/accounts/$payee/withdrawals" 201 '{"amount":1000}'
call GET "/v1/accounts/$payee" 200
expect_equal "payee balance" "$(number_field balance)" 1500

step "10. An order from creation to refund: authorize 3000, capture 2000, refund 500"
call POST /v1/orders 201 "{\"payer_account\":\"$payer\",\"payee_account\":\"$payee\",\"amount\":3000,\"currency\":\"USD\",\"capture_method\":\"manual\"}"
order_id="$(string_field id)"
expect_equal "new order status" "$(string_field status)" created
call POST "/v1/orders/$order_id/confirm" 200
expect_equal "confirmed order status" "$(string_field status)" authorized
call GET "/v1/accounts/$payer" 200
expect_equal "payer held" "$(number_field held)" 3000
expect_equal "payer available" "$(number_field available)" 4500
call POST "/v1/orders/$order_id/capture" 200 '{"amount":2000}'
expect_equal "captured order status" "$(string_field status)" settled
call GET "/v1/accounts/$payer" 200
expect_equal "payer balance after capture (hold released)" "$(number_field balance)" 5500
expect_equal "payer held after capture" "$(number_field held)" 0
call POST "/v1/orders/$order_id/refunds" 200 '{"amount":500}'
expect_equal "refunded order status" "$(string_field status)" partially_refunded
call GET "/v1/accounts/$payer" 200
expect_equal "payer balance after refund" "$(number_field balance)" 6000

step "11. Audit the ledger (admin keys only)"
call GET /v1/audit 200,403
if [[ "$STATUS" == 200 ]]; then
  audit_ok="$(printf '%s' "$BODY" | grep -o '"ok"[[:space:]]*:[[:space:]]*[a-z]*' | head -n 1 \
    | sed 's/.*:[[:space:]]*//' || true)"
  expect_equal "audit ok (balances sum to 0, entries match balances)" "$audit_ok" true
else
  echo "   (this key is not an admin key: skipped)"
fi

echo
echo "Walkthrough finished: every step answered as expected."
