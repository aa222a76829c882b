#!/usr/bin/env bash
# Runs examples/webhook_receiver (settle_webhook_receiver_example) as the receiver of a
# webhook endpoint of a real settled on a fresh SQLite file, and checks what it prints: the
# deposit's and the transfer's transfer.settled and the accounts' events, each verified,
# in seq order; then a forged, a stale and a replayed request that this script sends itself
# (it knows the secret, so it can sign) must be refused or dropped, and a GET refused on a
# kept-alive connection.
#   run-webhook-receiver.sh SETTLED_BINARY RECEIVER_BINARY
# The receiver needs the endpoint's secret, which only the endpoint's creation answers;
# the endpoint needs the receiver's URL. So the endpoint is created with a placeholder URL
# (nothing is sent to it: no event happens before the URL is changed), the receiver then
# starts on a free port with the secret, and the endpoint's URL is changed to it.
set -euo pipefail
binary="$1"
receiver="$2"
source "$(cd "$(dirname "$0")" && pwd)/../lib/settled.sh"
work="$settled_work"
receiver_pid=""
trap 'if [[ -n "$receiver_pid" ]]; then kill "$receiver_pid" 2>/dev/null || true; fi
      settled_stop; rm -rf "$work"' EXIT

fail() {
  echo "run-webhook-receiver: $*" >&2
  echo "the receiver printed:" >&2
  cat "$work/receiver" >&2 || true
  exit 1
}

# api METHOD PATH EXPECTED_STATUS [JSON_BODY]: the answer's body in $work/answer.
api() {
  local status
  status="$(curl -sS -X "$1" -o "$work/answer" -w '%{http_code}' \
              -H "Authorization: Bearer $settled_key" -H 'Content-Type: application/json' \
              ${4:+--data-binary "$4"} "$settled_url$2")"
  if [[ "$status" != "$3" ]]; then
    fail "$1 $2 answered $status, not $3: $(cat "$work/answer")"
  fi
}

# field NAME: the first string value of "NAME" in the last answer.
field() {
  grep -o "\"$1\"[[:space:]]*:[[:space:]]*\"[^\"]*\"" "$work/answer" | head -n 1 \
    | sed 's/.*:[[:space:]]*"\([^"]*\)"$/\1/' || true
}

# wait_for_line REGEX: waits up to 30 s for a line of the receiver's output to match.
wait_for_line() {
  for _ in $(seq 1 300); do
    grep -Eq "$1" "$work/receiver" && return 0
    sleep 0.1
  done
  fail "no line matching '$1' within 30 s"
}

settled_start "$binary" http --webhooks.allow-private

api POST /v1/webhook_endpoints 201 \
  '{"url":"http://127.0.0.1:9/hooks","events":["transfer.settled","account.*"]}'
endpoint="$(field id)"
secret="$(field secret)"
[[ "$secret" == whsec_* ]] || fail "the endpoint's answer has no secret: $(cat "$work/answer")"

SETTLE_WEBHOOK_SECRET="$secret" "$receiver" 0 >"$work/receiver" 2>&1 &
receiver_pid=$!
for _ in $(seq 1 100); do
  grep -q "^listening on" "$work/receiver" && break
  sleep 0.1
done
receiver_url="$(head -n 1 "$work/receiver" | grep -o 'http://127\.0\.0\.1:[0-9]*/' || true)"
[[ -n "$receiver_url" ]] || fail "the receiver did not print 'listening on http://…/' first"
hooks="${receiver_url}hooks"
api PUT "/v1/webhook_endpoints/$endpoint" 200 "{\"url\":\"$hooks\"}"

api POST /v1/users 201 '{"name":"Ada Lovelace","email":"ada@example.com"}'
user="$(field id)"
api POST /v1/accounts 201 "{\"user_id\":\"$user\",\"currency\":\"USD\"}"
payer="$(field id)"
api POST /v1/accounts 201 "{\"user_id\":\"$user\",\"currency\":\"USD\"}"
payee="$(field id)"
api POST "/v1/accounts/$payer/deposits" 201 '{"amount":10000}'
deposit="$(field id)"
api POST /v1/transfers 201 \
  "{\"from_account\":\"$payer\",\"to_account\":\"$payee\",\"amount\":2500,\"currency\":\"USD\"}"
transfer="$(field id)"

wait_for_line "^event [0-9]+ account\.created $payer$"
wait_for_line "^event [0-9]+ account\.created $payee$"
wait_for_line "^event [0-9]+ transfer\.settled $deposit 10000 USD$"
wait_for_line "^event [0-9]+ transfer\.settled $transfer 2500 USD$"
wait_for_line "^event [0-9]+ account\.updated acc_[A-Za-z0-9]+$"
if grep -Eq '^(rejected|duplicate)' "$work/receiver"; then
  fail "a request from settled was refused or repeated"
fi
if ! grep '^event ' "$work/receiver" | cut -d' ' -f2 | sort -n -c -u 2>/dev/null; then
  fail "the events did not arrive in increasing seq"
fi

# sign UNIX_SECONDS BODY: the Settle-Signature of BODY sent at that time.
sign() {
  local digest
  digest="$(printf '%s.%s' "$1" "$2" | openssl dgst -sha256 -hmac "$secret" -r | cut -d' ' -f1)"
  printf 't=%s,v1=%s' "$1" "$digest"
}

# post_event SEQ SIGNATURE BODY EXPECTED_STATUS EXPECTED_LINE: sends one webhook request
# as settled would, and checks the answer's status and the line the receiver printed.
post_event() {
  local status
  status="$(curl -sS -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
              -H "Settle-Event-Seq: $1" -H "Settle-Signature: $2" --data-binary "$3" "$hooks")"
  [[ "$status" == "$4" ]] || fail "a request signed '$2' was answered $status, not $4"
  wait_for_line "$5"
}

replayed="$(grep -E "^event [0-9]+ transfer\.settled $transfer " "$work/receiver" | cut -d' ' -f2)"
object="{\"id\":\"$transfer\",\"amount\":2500,\"currency\":\"USD\"}"
body="{\"type\":\"event\",\"seq\":$replayed,\"event\":\"transfer.settled\",\"object\":$object,"
body+="\"at\":\"2026-01-01T00:00:00.000Z\"}"
now="$(date +%s)"
post_event "$replayed" "t=$now,v1=$(printf '0%.0s' $(seq 1 64))" "$body" 400 \
  '^rejected: signature does not match$'
post_event "$replayed" "$(sign $((now - 600)) "$body")" "$body" 400 '^rejected: timestamp '
post_event "$replayed" "$(sign "$now" "$body")" "$body" 200 "^duplicate $replayed$"
if [[ "$(grep -c "^event $replayed " "$work/receiver")" != 1 ]]; then
  fail "the replayed event $replayed was processed twice"
fi

# Two GETs in one curl: both refused, the second on the first one's connection.
answers="$(curl -sS -o /dev/null -w '%{http_code} %{num_connects}\n' "$hooks" "$hooks" \
             | tr '\n' ' ')"
[[ "$answers" == "405 1 405 0 " ]] || fail "two GETs on one connection answered: $answers"

kill -TERM "$receiver_pid"
status=0
wait "$receiver_pid" || status=$?
receiver_pid=""
[[ "$status" == 0 ]] || fail "the receiver exited with status $status on SIGTERM"
grep -q '^stopped$' "$work/receiver" || fail "the receiver did not print 'stopped' on SIGTERM"
cat "$work/receiver"
echo "the webhook receiver example received what it should"
