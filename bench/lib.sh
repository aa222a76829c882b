# shellcheck shell=bash
# What the benchmark scripts share (sourced by bench/measure.sh, bench/alternate.sh and
# bench/cluster): the pinned load generator, settled started and stopped, accounts funded
# through the API, one wrk case with bench/scripts/settle.lua (and the keyed one), what
# /metrics says between two snapshots, and the table's pieces.
# The caller sets, before sourcing:
#   work         a folder for the files of the run
#   connections  wrk's connections
#   accounts     how many accounts create_accounts makes
#   binary       settled, for start_settled
# and, before using the functions:
#   base         the URL the requests go to (http://HOST:PORT)
#   server       the pid of the server under load; several pids separated by spaces when
#                several processes serve (a cluster's nodes)
#   api_key      an admin key of the server (default bench-key)
# Results go to the associative array `result`.

declare -A result
api_key=bench-key

# The load generators run pinned to the last core (taskset), the servers (settled,
# PostgreSQL, nginx) unpinned; each case records its client's CPU: user + system time over
# wall time, 100% = one core. PIN_CLIENT=0 leaves the client unpinned too.
client_pin=()
client_note="unpinned"
if [[ ${PIN_CLIENT:-1} == 1 && $(nproc) -gt 1 ]] && command -v taskset >/dev/null; then
  client_core=$(($(nproc) - 1))
  client_pin=(taskset -c "$client_core")
  client_note="pinned to CPU $client_core with taskset"
fi

# The address settled reaches PostgreSQL at: the database itself, or with
# DATABASE_DELAY_MS set (and start_delay_proxy called), bench/delay_proxy, which delays
# every byte that many milliseconds each way, as a database one network hop away.
delay_ms=${DATABASE_DELAY_MS:-0}
proxy_pid=""
database_dsn=${SETTLE_TEST_POSTGRES_DSN:-}
start_delay_proxy() {
  local database_port attempts=0
  database_port=$(sed -E 's|.*:([0-9]+)/.*|\1|' <<<"$SETTLE_TEST_POSTGRES_DSN")
  build/release/bench/delay_proxy/settle_delay_proxy 0 127.0.0.1 "$database_port" \
    "$(awk -v ms="$delay_ms" 'BEGIN { printf "%d", ms * 1000 }')" >"$work/proxy.out" &
  proxy_pid=$!
  until grep -q '^listening' "$work/proxy.out" 2>/dev/null; do
    if ! kill -0 "$proxy_pid" 2>/dev/null || (( ++attempts > 100 )); then
      echo "the delay proxy did not start" >&2
      exit 1
    fi
    sleep 0.05
  done
  database_dsn=$(sed -E "s|:[0-9]+/|:$(sed -E 's/.*:([0-9]+)$/\1/' "$work/proxy.out")/|" \
    <<<"$SETTLE_TEST_POSTGRES_DSN")
}

stop_delay_proxy() {
  [[ -z "$proxy_pid" ]] || kill "$proxy_pid" 2>/dev/null || true
  proxy_pid=""
}

# Starts settled on URL (further options after it) and returns once it listens.
start_settled() {
  local url="$1"
  shift
  local port
  port=$(free_loopback_port)
  echo "$api_key bench admin" >"$work/keys"
  "$binary" --http.listen="127.0.0.1:$port" --storage.url="$url" --auth.keys-file="$work/keys" "$@" \
            >"$work/settled.out" 2>"$work/settled.err" &
  server=$!
  base="http://127.0.0.1:$port"
  until grep -q "listening on" "$work/settled.out"; do
    if ! kill -0 "$server" 2>/dev/null; then
      echo "settled did not start:" >&2
      cat "$work/settled.err" >&2
      exit 1
    fi
    sleep 0.02
  done
}

# Stops the settled that start_settled started (nothing if none runs).
stop_settled() {
  [[ -n "$server" ]] || return 0
  kill "$server"
  wait "$server" || true
  server=""
}

# Runs a load generator (its output on stdout) and keeps its CPU share for client_cpu.
client() {
  local TIMEFORMAT="%R %U %S"
  { time "${client_pin[@]}" "$@" 2>&1; } 2>"$work/client.time"
}

client_cpu() {
  awk '{ if ($1 > 0) printf "%.0f%%", 100 * ($2 + $3) / $1 }' "$work/client.time"
}

post() {
  curl -sf -H "Authorization: Bearer $api_key" -H "Content-Type: application/json" -d "$2" "$base$1"
}

# Accounts funded through the API, the first one the hot account.
create_accounts() {
  local user
  user=$(post /v1/users '{"name":"Bench","email":"bench@example.com"}' | sed 's/^{"id":"\([^"]*\)".*/\1/')
  : >"$work/accounts"
  seq 1 "$accounts" | xargs -P 4 -I{} sh -c "
    id=\$(curl -sf -H 'Authorization: Bearer $api_key' -H 'Content-Type: application/json' \
          -d '{\"user_id\":\"$user\",\"currency\":\"USD\"}' $base/v1/accounts | sed 's/^{\"id\":\"\\([^\"]*\\)\".*/\\1/')
    curl -sf -o /dev/null -H 'Authorization: Bearer $api_key' -H 'Content-Type: application/json' \
          -d '{\"amount\":1000000000}' $base/v1/accounts/\$id/deposits
    echo \$id" >>"$work/accounts"
}

# Waits until the servers are idle (under 5% of a core over a second, on average per
# server; at most 120 s): wrk closes its connections at the end of a case, but a server may
# still be working through their requests (batches especially), which would weigh on the
# next case. (An idle cluster node keeps its leases and uses about 2% of a core.)
wait_until_quiet() {
  local ticks before after servers
  ticks=$(getconf CLK_TCK)
  servers=$(wc -w <<<"$server")
  after=$(server_ticks)
  for _ in $(seq 1 120); do
    before=$after
    sleep 1
    after=$(server_ticks)
    if (( (after - before) * 20 < ticks * servers )); then return 0; fi
  done
  echo "settled still busy 120 s after the previous case" >&2
}

# CPU time (user + system, in clock ticks) of the pids in $server, summed.
server_ticks() {
  local pid total=0
  for pid in $server; do
    total=$(( total + $(awk '{ print $14 + $15 }' "/proc/$pid/stat") ))
  done
  echo "$total"
}

# PostgreSQL's statement execution time in ms, summed over every database since the last
# statements_reset (pg_stat_statements, which bench/run loads); empty when not loaded.
statements_reset() {
  psql -Atq "$SETTLE_TEST_POSTGRES_DSN" -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" \
       -c "SELECT pg_stat_statements_reset()" >/dev/null 2>&1 || true
}

statements_milliseconds() {
  psql -Atq "$SETTLE_TEST_POSTGRES_DSN" 2>/dev/null \
       -c "SELECT sum(total_exec_time) FROM pg_stat_statements WHERE query NOT LIKE '%pg_stat_statements%'" || true
}

# The four statements that took the longest since the last statements_reset, each as its
# time spread over UNITS (µs each) and what it writes ("INSERT INTO events"), or its start.
statements_breakdown() {
  (( $1 > 0 )) || return 0
  psql -Atq "$SETTLE_TEST_POSTGRES_DSN" 2>/dev/null -c "
    SELECT string_agg(format('%s µs %s', round(CAST(total_exec_time * 1000 / $1 AS numeric)),
                             COALESCE(substring(query FROM '(INSERT INTO \w+|UPDATE \w+|DELETE FROM \w+)'),
                                      left(regexp_replace(query, '\s+', ' ', 'g'), 40))),
                      ', ' ORDER BY total_exec_time DESC)
    FROM (SELECT query, total_exec_time FROM pg_stat_statements
          WHERE query NOT LIKE '%pg_stat_statements%' ORDER BY total_exec_time DESC LIMIT 4) top" || true
}

# MILLISECONDS spread over UNITS, in µs each ("n/a" when either is missing).
microseconds_each() {
  awk -v ms="$1" -v units="$2" 'BEGIN { if (ms != "" && units > 0) printf "%.0f", 1000 * ms / units; else print "n/a" }'
}

# Runs one wrk case: settle_case NAME MODE MULTIPLIER SECONDS [VAR=value ...] (the
# variables go to bench/scripts/settle.lua). Stores under NAME the rate (requests/s times
# MULTIPLIER: transfers/s for batches), and NAME_latency, NAME_cpu, NAME_count, NAME_seconds;
# also NAME_p50, NAME_p99 (ms) and NAME_errors, each alone; and what each unit (a transfer,
# a request) cost: NAME_settled_us, the servers' CPU time (until they are quiet again, so
# that work still queued when wrk stops counts), and NAME_statement_us, PostgreSQL's
# statement execution time.
settle_case() {
  local name="$1" mode="$2" multiplier="$3" seconds="$4"
  shift 4
  wait_until_quiet
  local output ticks_before
  ticks_before=$(server_ticks)
  statements_reset
  output=$(client env MODE="$mode" API_KEY="$api_key" ACCOUNTS_FILE="$work/accounts" "$@" \
           wrk -t1 -c"$connections" -d"${seconds}s" --timeout 30s -s bench/scripts/settle.lua "$base")
  result[${name}_cpu]=$(client_cpu)
  wait_until_quiet
  local server_milliseconds statements units
  server_milliseconds=$(( ($(server_ticks) - ticks_before) * 1000 / $(getconf CLK_TCK) ))
  statements=$(statements_milliseconds)
  local line
  line=$(echo "$output" | grep '^RESULT') || { echo "wrk ($mode) failed: $output" >&2; exit 1; }
  local requests elapsed
  requests=$(echo "$line" | sed 's/.*requests=\([0-9]*\).*/\1/')
  elapsed=$(echo "$line" | sed 's/.*seconds=\([0-9.]*\).*/\1/')
  result[$name]=$(awk -v r="$requests" -v s="$elapsed" -v m="$multiplier" 'BEGIN { printf "%.0f", (s > 0 ? r * m / s : 0) }')
  result[${name}_count]=$requests
  units=$(( requests * multiplier ))
  result[${name}_settled_us]=$(microseconds_each "$server_milliseconds" "$units")
  result[${name}_statement_us]=$(microseconds_each "$statements" "$units")
  result[${name}_statement_breakdown]=$(statements_breakdown "$units")
  result[${name}_seconds]=$elapsed
  result[${name}_latency]=$(echo "$line" | sed 's/.*p50_ms=\([0-9.]*\) p99_ms=\([0-9.]*\) p999_ms=\([0-9.]*\) errors=\([0-9]*\).*/\1 \/ \2 \/ \3 ms (errors \4)/')
  result[${name}_p50]=$(echo "$line" | sed 's/.*p50_ms=\([0-9.]*\).*/\1/')
  result[${name}_p99]=$(echo "$line" | sed 's/.*p99_ms=\([0-9.]*\).*/\1/')
  result[${name}_errors]=$(echo "$line" | sed 's/.*errors=\([0-9]*\).*/\1/')
}

ratio() {
  awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "n/a" }'
}

# Cores, memory and CPU model, for a table's header.
describe_machine() {
  echo "$(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
}

# An nginx answering 200 with a constant small JSON body to any request on 127.0.0.1:PORT
# (the HTTP ceiling; a webhook receiver that answers at once), its files $work/NAME.*.
start_constant_nginx() {
  local name="$1" port="$2"
  cat >"$work/$name.conf" <<CONF
worker_processes 1;
pid $work/$name.pid;
error_log $work/$name-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  server {
    listen 127.0.0.1:$port;
    location / { default_type application/json; return 200 '{"ok":true}'; }
  }
}
CONF
  nginx -c "$work/$name.conf" -p "$work"
  sleep 0.5
}

stop_constant_nginx() {
  kill "$(cat "$work/$1.pid")"
  rm -f "$work/$1.pid"
}

# How much one value of /metrics (NAME, with its labels) grew between two snapshots,
# BEFORE and AFTER.
metric_growth() {
  awk -v name="$1" '$1 == name { if (FNR == NR) n -= $2; else n += $2 }
                    END { printf "%.17g\n", n }' <(echo "$2") <(echo "$3")
}

# SCALE * PART / WHOLE with one decimal, or n/a when WHOLE is 0.
scaled_ratio() {
  awk -v part="$1" -v whole="$2" -v scale="$3" \
    'BEGIN { if (whole > 0) printf "%.1f", scale * part / whole; else print "n/a" }'
}

# Between two /metrics snapshots, BEFORE and AFTER, of a histogram: the share (in %) of
# its observations within one bucket (BUCKET, the bucket's full name with its labels and
# le; COUNT, the histogram's _count with its labels).
histogram_share_within() {
  local bucket="$1" count="$2" before="$3" after="$4"
  scaled_ratio "$(metric_growth "$bucket" "$before" "$after")" \
    "$(metric_growth "$count" "$before" "$after")" 100
}

# The mean observation between the snapshots, times SCALE (SUM, COUNT: _sum and _count).
histogram_mean() {
  local sum="$1" count="$2" scale="$3" before="$4" after="$5"
  scaled_ratio "$(metric_growth "$sum" "$before" "$after")" \
    "$(metric_growth "$count" "$before" "$after")" "$scale"
}

# Random single transfers, each with a new Idempotency-Key: settle_case NAME with the
# keys, and NAME_lookup, how many keys settled looked up in the database at a time.
keyed_case() {
  local name="$1" before after lookups=settle_idempotency_lookup_keys
  before=$(curl -s "$base/metrics")
  settle_case "$name" transfer 1 "$duration" IDEMPOTENCY_KEYS=1
  after=$(curl -s "$base/metrics")
  result[${name}_lookup]=$(histogram_mean "${lookups}_sum" "${lookups}_count" 1 \
                           "$before" "$after")
}
