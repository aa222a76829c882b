# The webhook cases of bench/run, sourced by bench/measure.sh (which has started settled
# with --webhooks.allow-private and measured the random-transfer case just before):
# - the same random-transfer load with an endpoint of every event ("*") whose receiver
#   never answers: its rate against the case without it (a dead endpoint must not slow
#   payments);
# - the delivery lag at a fixed 1,000 transfers/s (open loop) with a receiver that answers
#   at once (nginx): the endpoint's settle_webhook_delivery_lag_seconds sampled every
#   0.25 s during the case (largest and mean), and how long after the load its deliveries
#   caught up (the gauge back at 0).

# Creates an endpoint for URL with the JSON array EVENTS; prints its id.
create_webhook_endpoint() {
  post /v1/webhook_endpoints "{\"url\":\"$1\",\"events\":$2}" | sed 's/^{"id":"\([^"]*\)".*/\1/'
}

delete_webhook_endpoint() {
  curl -sf -X DELETE -H "Authorization: Bearer $api_key" "$base/v1/webhook_endpoints/$1" >/dev/null
}

# The endpoint's delivery lag in seconds (empty when the node reports none).
webhook_lag() {
  curl -s "$base/metrics" | awk -v id="$1" '$1 == "settle_webhook_delivery_lag_seconds{endpoint=\"" id "\"}" { print $2 }'
}

settle_webhook_silent() {
  local port endpoint
  port=$(free_loopback_port)
  python3 bench/scripts/silent_receiver.py "$port" &
  echo $! >"$work/silent_receiver.pid"
  endpoint=$(create_webhook_endpoint "http://127.0.0.1:$port/hooks" '["*"]')
  settle_case settle_pg_webhook_silent transfer 1 "$duration"
  delete_webhook_endpoint "$endpoint"
  kill "$(cat "$work/silent_receiver.pid")"
  rm -f "$work/silent_receiver.pid"
}

# Samples the lag into $work/lag until $work/lag.stop exists.
sample_webhook_lag() {
  : >"$work/lag"
  while [[ ! -e "$work/lag.stop" ]]; do
    webhook_lag "$1" >>"$work/lag"
    sleep 0.25
  done
}

settle_webhook_lag() {
  local port endpoint sampler started waited=0
  port=$(free_loopback_port)
  start_constant_nginx receiver "$port"
  endpoint=$(create_webhook_endpoint "http://127.0.0.1:$port/hooks" '["transfer.settled"]')
  rm -f "$work/lag.stop"
  sample_webhook_lag "$endpoint" &
  sampler=$!
  settle_case settle_pg_webhook_load open 1 "$duration" RATE=1000
  touch "$work/lag.stop"
  wait "$sampler" || true
  # Caught up: the gauge is 0 again (it is set after each delivery and each look at the log).
  started=$(date +%s.%N)
  until awk '{ exit !($1 == 0) }' <<<"$(webhook_lag "$endpoint")" || (( waited >= 600 )); do
    sleep 0.1
    waited=$(( waited + 1 ))
  done
  result[webhook_caught_up]=$(awk -v s="$started" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
  result[webhook_lag_max]=$(awk 'NF { if ($1 > max) max = $1 } END { printf "%.3f", max }' "$work/lag")
  result[webhook_lag_mean]=$(awk 'NF { sum += $1; n++ } END { if (n) printf "%.3f", sum / n; else print "n/a" }' "$work/lag")
  result[webhook_deliveries]=$(curl -s "$base/metrics" | awk '$1 == "settle_webhook_deliveries_total{result=\"succeeded\"}" { print $2 }')
  delete_webhook_endpoint "$endpoint"
  stop_constant_nginx receiver
}
