#!/usr/bin/env bash
# The measurements of bench/run, with SETTLE_TEST_POSTGRES_DSN set by with-postgres.sh.
set -euo pipefail
duration=${DURATION:-10}
connections=${CONNECTIONS:-32}
accounts=${ACCOUNTS:-1000}
binary="$PWD/build/release/settled/settled"
work="$(mktemp -d)"
dsn="$SETTLE_TEST_POSTGRES_DSN"
admin_dsn="${dsn%/*}/postgres"
pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
server=""
cleanup() {
  if [[ -n "$server" ]]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  if [[ -f "$work/nginx.pid" ]]; then kill "$(cat "$work/nginx.pid")" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

declare -A result

free_port() {
  local port
  while :; do
    port=$((30000 + RANDOM % 20000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return; fi
  done
}

# pgbench: the classic "UPDATE balances in SQL" design, random and hot account.
measure_pgbench() {
  psql -q "$dsn" -c "DROP TABLE IF EXISTS bench_accounts, bench_history" \
       -c "CREATE TABLE bench_accounts (id INT PRIMARY KEY, balance BIGINT NOT NULL)" \
       -c "CREATE TABLE bench_history (id BIGSERIAL PRIMARY KEY, from_id INT, to_id INT, amount BIGINT, at TIMESTAMPTZ)" \
       -c "INSERT INTO bench_accounts SELECT g, 1000000000 FROM generate_series(1, $accounts) g" >/dev/null
  for script in transfer transfer_hot; do
    local output
    output=$("$pg_bin/pgbench" -n -c "$connections" -j 2 -T "$duration" -D accounts="$accounts" \
               -f "bench/scripts/$script.sql" "$dsn" 2>&1)
    result[pgbench_$script]=$(echo "$output" | sed -n 's/^tps = \([0-9.]*\).*/\1/p' | head -n 1)
  done
}

# The HTTP ceiling: nginx answering a constant small JSON body over keep-alive.
measure_http_ceiling() {
  local port
  port=$(free_port)
  cat >"$work/nginx.conf" <<CONF
worker_processes 1;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  server {
    listen 127.0.0.1:$port;
    location / { default_type application/json; return 200 '{"ok":true}'; }
  }
}
CONF
  nginx -c "$work/nginx.conf" -p "$work"
  sleep 0.5
  result[http_ceiling]=$(wrk -t1 -c"$connections" -d"${duration}s" "http://127.0.0.1:$port/" \
                         | sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p')
  kill "$(cat "$work/nginx.pid")"
  rm -f "$work/nginx.pid"
}

start_settled() {
  local url="$1"
  local port
  port=$(free_port)
  echo "bench-key bench admin" >"$work/keys"
  "$binary" --http.listen="127.0.0.1:$port" --storage.url="$url" --auth.keys-file="$work/keys" \
            >"$work/settled.out" 2>"$work/settled.err" &
  server=$!
  for _ in $(seq 1 100); do
    grep -q "listening on" "$work/settled.out" && break
    sleep 0.1
  done
  base="http://127.0.0.1:$port"
}

stop_settled() {
  kill "$server"
  wait "$server" || true
  server=""
}

post() {
  curl -sf -H "Authorization: Bearer bench-key" -H "Content-Type: application/json" -d "$2" "$base$1"
}

# Accounts funded through the API, the first one the hot account.
create_accounts() {
  local user
  user=$(post /v1/users '{"name":"Bench","email":"bench@example.com"}' | sed 's/^{"id":"\([^"]*\)".*/\1/')
  : >"$work/accounts"
  seq 1 "$accounts" | xargs -P 4 -I{} sh -c "
    id=\$(curl -sf -H 'Authorization: Bearer bench-key' -H 'Content-Type: application/json' \
          -d '{\"user_id\":\"$user\",\"currency\":\"USD\"}' $base/v1/accounts | sed 's/^{\"id\":\"\\([^\"]*\\)\".*/\\1/')
    curl -sf -o /dev/null -H 'Authorization: Bearer bench-key' -H 'Content-Type: application/json' \
          -d '{\"amount\":1000000000}' $base/v1/accounts/\$id/deposits
    echo \$id" >>"$work/accounts"
}

# Runs one wrk case; stores requests/s (or transfers/s for batches) and latencies.
settle_case() {
  local name="$1" mode="$2" multiplier="${3:-1}"
  local output
  output=$(MODE="$mode" API_KEY=bench-key ACCOUNTS_FILE="$work/accounts" \
           wrk -t1 -c"$connections" -d"${duration}s" --timeout 30s -s bench/scripts/settle.lua "$base")
  local line
  line=$(echo "$output" | grep '^RESULT')
  local requests seconds
  requests=$(echo "$line" | sed 's/.*requests=\([0-9]*\).*/\1/')
  seconds=$(echo "$line" | sed 's/.*seconds=\([0-9.]*\).*/\1/')
  result[$name]=$(awk -v r="$requests" -v s="$seconds" -v m="$multiplier" 'BEGIN { printf "%.0f", r * m / s }')
  result[${name}_latency]=$(echo "$line" | sed 's/.*p50_ms=\([0-9.]*\) p99_ms=\([0-9.]*\) p999_ms=\([0-9.]*\) errors=\([0-9]*\).*/\1 \/ \2 \/ \3 ms (errors \4)/')
}

measure_settle_postgresql() {
  psql -q "$admin_dsn" -c "DROP DATABASE IF EXISTS settle_bench" -c "CREATE DATABASE settle_bench" >/dev/null
  start_settled "${dsn%/*}/settle_bench"
  create_accounts
  settle_case settle_pg_transfer transfer
  settle_case settle_pg_hot hot
  settle_case settle_pg_batch batch 1000
  settle_case settle_pg_get get
  result[settle_pg_audit]=$(curl -s -H "Authorization: Bearer bench-key" "$base/v1/audit" | sed 's/^{"ok":\([a-z]*\).*/\1/')
  stop_settled
}

measure_settle_sqlite() {
  start_settled "sqlite:$work/bench.db"
  create_accounts
  settle_case settle_sqlite_transfer transfer
  settle_case settle_sqlite_get get
  stop_settled
}

ratio() {
  awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "n/a" }'
}

report() {
  local commit date machine
  commit=$(git rev-parse --short HEAD)
  date=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  machine="$(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
  cat <<TABLE
# Settle benchmark — $date, commit $commit
Machine: $machine. Client (wrk, 1 thread) and server share the machine.
$connections connections, ${duration} s per case, $accounts accounts. PostgreSQL fsync=on, synchronous_commit=on.

| case | result | ratio to its peer | latency p50 / p99 / p99.9 |
|---|---|---|---|
| peer: pgbench transfer (SQL UPDATE design), random accounts | ${result[pgbench_transfer]} tps | | |
| peer: pgbench transfer, one hot account | ${result[pgbench_transfer_hot]} tps | | |
| peer: HTTP ceiling (nginx, constant JSON) | ${result[http_ceiling]} req/s | | |
| Settle PostgreSQL: POST /v1/transfers, random | ${result[settle_pg_transfer]} transfers/s | $(ratio "${result[settle_pg_transfer]}" "${result[pgbench_transfer]}") of pgbench; $(ratio "${result[settle_pg_transfer]}" "${result[http_ceiling]}") of HTTP ceiling | ${result[settle_pg_transfer_latency]} |
| Settle PostgreSQL: POST /v1/transfers, hot account | ${result[settle_pg_hot]} transfers/s | $(ratio "${result[settle_pg_hot]}" "${result[pgbench_transfer_hot]}") of pgbench hot; $(ratio "${result[settle_pg_hot]}" "${result[settle_pg_transfer]}") of random | ${result[settle_pg_hot_latency]} |
| Settle PostgreSQL: POST /v1/transfers/batch (1000 each) | ${result[settle_pg_batch]} transfers/s | | ${result[settle_pg_batch_latency]} |
| Settle PostgreSQL: GET /v1/accounts/{id} | ${result[settle_pg_get]} req/s | $(ratio "${result[settle_pg_get]}" "${result[http_ceiling]}") of HTTP ceiling | ${result[settle_pg_get_latency]} |
| Settle SQLite: POST /v1/transfers, random | ${result[settle_sqlite_transfer]} transfers/s | | ${result[settle_sqlite_transfer_latency]} |
| Settle SQLite: GET /v1/accounts/{id} | ${result[settle_sqlite_get]} req/s | | ${result[settle_sqlite_get_latency]} |

Audit after the PostgreSQL cases: ok=${result[settle_pg_audit]}.
Not measured yet: order confirmation, p99 at half the peak rate (open loop), resident memory per idle account.
TABLE
}

measure_pgbench
measure_http_ceiling
measure_settle_postgresql
measure_settle_sqlite
mkdir -p bench/results
file="bench/results/$(date -u +%Y%m%d-%H%M%S).md"
report | tee "$file"
echo "written to $file"
