#!/usr/bin/env bash
# The measurements of bench/run, with SETTLE_TEST_POSTGRES_DSN set by with-postgres.sh.
set -euo pipefail
duration=${DURATION:-10}
connections=${CONNECTIONS:-32}
accounts=${ACCOUNTS:-1000}
memory_accounts=${ACCOUNTS_FOR_MEMORY:-1000000}
passivate_after=${PASSIVATE_AFTER:-5}
binary="$PWD/build/release/settled/settled"
work="$(mktemp -d)"
dsn="$SETTLE_TEST_POSTGRES_DSN"
admin_dsn="${dsn%/*}/postgres"
pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
server=""
cleanup() {
  if [[ -n "$server" ]]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  for pid_file in "$work/nginx.pid" "$work/receiver.pid" "$work/silent_receiver.pid"; do
    if [[ -f "$pid_file" ]]; then kill "$(cat "$pid_file")" 2>/dev/null || true; fi
  done
  rm -rf "$work"
}
trap cleanup EXIT

# The pinned client, accounts through the API, the wrk cases: shared with bench/cluster.
source bench/lib.sh
source bench/webhooks.sh
source scripts/free-port.sh

# pgbench: the classic "UPDATE balances in SQL" design, random and hot account.
measure_pgbench() {
  psql -q "$dsn" -c "DROP TABLE IF EXISTS bench_accounts, bench_history" \
       -c "CREATE TABLE bench_accounts (id INT PRIMARY KEY, balance BIGINT NOT NULL)" \
       -c "CREATE TABLE bench_history (id BIGSERIAL PRIMARY KEY, from_id INT, to_id INT, amount BIGINT, at TIMESTAMPTZ)" \
       -c "INSERT INTO bench_accounts SELECT g, 1000000000 FROM generate_series(1, $accounts) g" >/dev/null
  for script in transfer transfer_hot; do
    local output
    statements_reset
    output=$(client "$pg_bin/pgbench" -n -c "$connections" -j 2 -T "$duration" -D accounts="$accounts" \
               -f "bench/scripts/$script.sql" "$dsn")
    result[pgbench_$script]=$(echo "$output" | sed -n 's/^tps = \([0-9]*\).*/\1/p' | head -n 1)
    result[pgbench_${script}_cpu]=$(client_cpu)
    result[pgbench_${script}_statement_us]=$(microseconds_each "$(statements_milliseconds)" \
      "$(echo "$output" | sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p')")
  done
}

# The HTTP ceiling: nginx answering a constant small JSON body over keep-alive.
measure_http_ceiling() {
  local port
  port=$(free_loopback_port)
  start_constant_nginx nginx "$port"
  result[http_ceiling]=$(client wrk -t1 -c"$connections" -d"${duration}s" "http://127.0.0.1:$port/" \
                         | sed -n 's/^Requests\/sec: *\([0-9]*\).*/\1/p')
  result[http_ceiling_cpu]=$(client_cpu)
  stop_constant_nginx nginx
}

# Waits (at most 120 s) until settled answers GET PATH with 200.
wait_for() {
  local attempts=0
  until [[ $(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $api_key" "$base$1") == 200 ]]; do
    if ! kill -0 "$server" 2>/dev/null || (( ++attempts > 6000 )); then
      echo "settled never answered 200 to GET $1" >&2
      exit 1
    fi
    sleep 0.02
  done
}

# One value of settled's /metrics (0 when absent).
metric() {
  curl -s "$base/metrics" | awk -v name="$1" '$1 == name { n = $2 } END { print n + 0 }'
}

# Order confirmation with automatic capture: orders between random accounts are created
# for DURATION s (a case of its own), then each is confirmed once, for at most DURATION s.
settle_orders() {
  settle_case settle_pg_order_create create_order 1 "$duration" ORDERS_OUT="$work/orders"
  result[settle_pg_order_pool]=$(wc -l <"$work/orders")
  settle_case settle_pg_order_confirm confirm 1 "$duration" ORDERS_FILE="$work/orders"
}

# Checkpoints PostgreSQL has begun (timed or requested) since it started.
checkpoints() {
  psql -Atq "$dsn" -c "SELECT checkpoints_timed + checkpoints_req FROM pg_stat_bgwriter"
}

# The share (in %) of POST /v1/transfers answers that settled itself timed within LIMIT
# seconds: latency inside settled, without the client's own scheduling delays.
settled_share_within() {
  local route='{route="/v1/transfers"'
  histogram_share_within "settle_http_request_duration_seconds_bucket$route,le=\"$1\"}" \
    "settle_http_request_duration_seconds_count$route}" "$2" "$3"
}

# The group commits of a case (what every request of the case waited for): how many, their
# mean size in write sets and mean duration, and the share done within 2.5 and 10 ms.
commit_profile() {
  local before="$1" after="$2" duration=settle_commit_duration_seconds
  local sizes=settle_commit_batch_size groups size mean fast within
  groups=$(metric_growth "${duration}_count" "$before" "$after")
  size=$(histogram_mean "${sizes}_sum" "${sizes}_count" 1 "$before" "$after")
  mean=$(histogram_mean "${duration}_sum" "${duration}_count" 1000 "$before" "$after")
  fast=$(histogram_share_within "${duration}_bucket{le=\"0.0025\"}" "${duration}_count" \
         "$before" "$after")
  within=$(histogram_share_within "${duration}_bucket{le=\"0.01\"}" "${duration}_count" \
           "$before" "$after")
  echo "$groups groups of $size write sets, $mean ms each on average," \
       "$fast% within 2.5 ms, $within% within 10 ms"
}

# p99 at half the peak: single random transfers arriving at a fixed rate, half the
# closed-loop rate of this run (see the open mode of settle.lua). Also kept: settled's own
# timing of the same answers, and whether PostgreSQL checkpointed meanwhile.
settle_open_loop() {
  result[open_target]=$(( ${result[settle_pg_transfer]:-0} / 2 ))
  if (( result[open_target] > 0 )); then
    local before after checkpoints_before
    before=$(curl -s "$base/metrics")
    checkpoints_before=$(checkpoints)
    settle_case settle_pg_open open 1 "$duration" RATE="${result[open_target]}"
    after=$(curl -s "$base/metrics")
    result[settle_pg_open_checkpoints]=$(( $(checkpoints) - checkpoints_before ))
    result[settle_pg_open_inside_10ms]=$(settled_share_within 0.01 "$before" "$after")
    result[settle_pg_open_inside_25ms]=$(settled_share_within 0.025 "$before" "$after")
    result[settle_pg_open_commits]=$(commit_profile "$before" "$after")
  fi
}

measure_settle_postgresql() {
  psql -q "$admin_dsn" -c "DROP DATABASE IF EXISTS settle_bench" -c "CREATE DATABASE settle_bench" >/dev/null
  start_settled "${dsn%/*}/settle_bench" --webhooks.allow-private
  create_accounts
  settle_case settle_pg_transfer transfer 1 "$duration"
  keyed_case settle_pg_keyed
  settle_webhook_silent
  settle_case settle_pg_hot hot 1 "$duration"
  settle_case settle_pg_batch batch 1000 "$duration"
  settle_case settle_pg_get get 1 "$duration"
  settle_orders
  settle_open_loop
  settle_webhook_lag
  result[settle_pg_audit]=$(curl -s -H "Authorization: Bearer $api_key" "$base/v1/audit" | sed 's/^{"ok":\([a-z]*\).*/\1/')
  stop_settled
}

measure_settle_sqlite() {
  start_settled "sqlite:$work/bench.db"
  create_accounts
  settle_case settle_sqlite_transfer transfer 1 "$duration"
  settle_case settle_sqlite_get get 1 "$duration"
  stop_settled
}

# Resident memory of settled, in KiB (VmRSS, or VmHWM for its peak).
memory_kib() {
  awk -v field="$1:" '$1 == field { print $2 }' "/proc/$server/status"
}

# Account actors alive, from the settle_actors gauge.
account_actors() {
  metric 'settle_actors{kind="account"}'
}

milliseconds() {
  echo $(( $(date +%s%N) / 1000000 ))
}

# Memory per idle account. ACCOUNTS_FOR_MEMORY accounts are inserted with one SQL statement
# (what is measured is the server's memory, not how accounts are created), with the columns
# settled itself writes; then a settled with --settle.passivate-after=PASSIVATE_AFTER reads
# each of them once over HTTP, and its resident memory is read on the way: on the empty
# database, at start, after the walk, and once the account actors have passivated. Then a
# restart is timed until /readyz and a GET of an account answer 200.
measure_memory() {
  local db="${dsn%/*}/settle_memory"
  psql -q "$admin_dsn" -c "DROP DATABASE IF EXISTS settle_memory" -c "CREATE DATABASE settle_memory" >/dev/null
  start_settled "$db" # creates the schema
  wait_for /readyz
  result[memory_empty]=$(memory_kib VmRSS)
  stop_settled
  local started
  started=$(milliseconds)
  psql -q -v ON_ERROR_STOP=1 "$db" >/dev/null <<SQL
INSERT INTO users (id, tenant, name, email, deleted, created_at, ordinal)
  SELECT 'usr_benchmemory', 'bench', 'Memory', 'memory@example.com', 0, now_ms, now_ms * 4096
  FROM (SELECT (extract(epoch FROM now()) * 1000)::bigint AS now_ms) t;
INSERT INTO accounts (id, tenant, user_id, currency, balance, held, overdraft_limit, status,
                      created_at, ordinal)
  SELECT 'acc_' || substr(md5('memory' || g), 1, 22), 'bench', 'usr_benchmemory', 'USD', 0, 0, 0,
         'open', now_ms, now_ms * 4096 + g
  FROM generate_series(1, $memory_accounts) g,
       (SELECT (extract(epoch FROM now()) * 1000)::bigint AS now_ms) t;
SQL
  result[memory_insert_seconds]=$(awk -v ms=$(( $(milliseconds) - started )) 'BEGIN { printf "%.1f", ms / 1000 }')
  psql -At "$db" -c "SELECT id FROM accounts WHERE user_id = 'usr_benchmemory'" >"$work/memory_accounts"

  start_settled "$db" --settle.passivate-after="$passivate_after" --settle.max-resident="$memory_accounts"
  wait_for /readyz
  result[memory_start]=$(memory_kib VmRSS)
  local idle_actors
  idle_actors=$(account_actors)
  # Each account once; the cap on the walk's duration only guards against a stuck run.
  settle_case memory_walk walk 1 $(( memory_accounts / 100 + 120 )) ACCOUNTS_FILE="$work/memory_accounts"
  result[memory_walked]=$(memory_kib VmRSS)
  result[memory_walked_actors]=$(account_actors)
  result[memory_peak]=$(memory_kib VmHWM)
  started=$(milliseconds)
  local deadline=$(( started + (3 * passivate_after + 60) * 1000 ))
  while (( $(account_actors) > idle_actors && $(milliseconds) < deadline )); do sleep 0.5; done
  sleep 1
  result[memory_idle]=$(memory_kib VmRSS)
  result[memory_idle_actors]=$(account_actors)
  result[memory_passivation_seconds]=$(awk -v ms=$(( $(milliseconds) - started )) 'BEGIN { printf "%.1f", ms / 1000 }')

  started=$(milliseconds)
  stop_settled
  result[memory_stop_seconds]=$(awk -v ms=$(( $(milliseconds) - started )) 'BEGIN { printf "%.1f", ms / 1000 }')
  started=$(milliseconds)
  start_settled "$db" --settle.passivate-after="$passivate_after" --settle.max-resident="$memory_accounts"
  wait_for /readyz
  wait_for "/v1/accounts/$(tail -n 1 "$work/memory_accounts")"
  result[memory_restart_seconds]=$(awk -v ms=$(( $(milliseconds) - started )) 'BEGIN { printf "%.2f", ms / 1000 }')
  stop_settled
}

# Bytes per account: (KiB after - KiB before) * 1024 / accounts.
per_account() {
  awk -v after="$1" -v before="$2" -v n="$3" 'BEGIN { if (n > 0) printf "%.0f", (after - before) * 1024 / n; else print "n/a" }'
}

mebibytes() {
  awk -v kib="$1" 'BEGIN { printf "%.0f MiB", kib / 1024 }'
}

# "settled µs / statements µs" per unit of case NAME (pgbench's peers: statements only).
costs() {
  echo "${result[$1_settled_us]:-—} / ${result[$1_statement_us]:-n/a} µs"
}

report() {
  local commit date machine
  commit=$(git rev-parse --short HEAD)
  date=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  machine=$(describe_machine)
  local n=$memory_accounts
  cat <<TABLE
# Settle benchmark — $date, commit $commit
Machine: $machine. Client and servers share the machine: the client (wrk, 1 thread; pgbench,
2 threads) is $client_note, settled, PostgreSQL and nginx are not pinned. "client CPU" is
the client's user + system time over the case's wall time (100% = one core).
$connections connections, ${duration} s per case, $accounts accounts. PostgreSQL fsync=on, synchronous_commit=on.

| case | result | ratio to its peer | latency p50 / p99 / p99.9 | per transfer (or request): settled CPU / PostgreSQL statements | client CPU |
|---|---|---|---|---|---|
| peer: pgbench transfer (SQL UPDATE design), random accounts | ${result[pgbench_transfer]} tps | | | $(costs pgbench_transfer) | ${result[pgbench_transfer_cpu]} |
| peer: pgbench transfer, one hot account | ${result[pgbench_transfer_hot]} tps | | | $(costs pgbench_transfer_hot) | ${result[pgbench_transfer_hot_cpu]} |
| peer: HTTP ceiling (nginx, constant JSON) | ${result[http_ceiling]} req/s | | | | ${result[http_ceiling_cpu]} |
| Settle PostgreSQL: POST /v1/transfers, random | ${result[settle_pg_transfer]} transfers/s | $(ratio "${result[settle_pg_transfer]}" "${result[pgbench_transfer]}") of pgbench; $(ratio "${result[settle_pg_transfer]}" "${result[http_ceiling]}") of HTTP ceiling | ${result[settle_pg_transfer_latency]} | $(costs settle_pg_transfer) | ${result[settle_pg_transfer_cpu]} |
| Settle PostgreSQL: POST /v1/transfers, random, each with an Idempotency-Key of its own | ${result[settle_pg_keyed]} transfers/s | $(ratio "${result[settle_pg_keyed]}" "${result[pgbench_transfer]}") of pgbench; $(ratio "${result[settle_pg_keyed]}" "${result[settle_pg_transfer]}") of random without keys | ${result[settle_pg_keyed_latency]}; ${result[settle_pg_keyed_lookup]:-n/a} keys per database lookup on average | $(costs settle_pg_keyed) | ${result[settle_pg_keyed_cpu]} |
| Settle PostgreSQL: POST /v1/transfers, hot account | ${result[settle_pg_hot]} transfers/s | $(ratio "${result[settle_pg_hot]}" "${result[pgbench_transfer_hot]}") of pgbench hot; $(ratio "${result[settle_pg_hot]}" "${result[settle_pg_transfer]}") of random | ${result[settle_pg_hot_latency]} | $(costs settle_pg_hot) | ${result[settle_pg_hot_cpu]} |
| Settle PostgreSQL: POST /v1/transfers/batch (1000 each) | ${result[settle_pg_batch]} transfers/s | | ${result[settle_pg_batch_latency]} | $(costs settle_pg_batch) | ${result[settle_pg_batch_cpu]} |
| Settle PostgreSQL: GET /v1/accounts/{id} | ${result[settle_pg_get]} req/s | $(ratio "${result[settle_pg_get]}" "${result[http_ceiling]}") of HTTP ceiling | ${result[settle_pg_get_latency]} | $(costs settle_pg_get) | ${result[settle_pg_get_cpu]} |
| Settle PostgreSQL: POST /v1/orders (automatic capture) | ${result[settle_pg_order_create]} orders/s | | ${result[settle_pg_order_create_latency]} | $(costs settle_pg_order_create) | ${result[settle_pg_order_create_cpu]} |
| Settle PostgreSQL: POST /v1/orders/{id}/confirm, automatic capture (${result[settle_pg_order_confirm_count]} of ${result[settle_pg_order_pool]} orders, in ${result[settle_pg_order_confirm_seconds]} s) | ${result[settle_pg_order_confirm]} confirms/s | $(ratio "${result[settle_pg_order_confirm]}" "${result[pgbench_transfer]}") of pgbench; $(ratio "${result[settle_pg_order_confirm]}" "${result[settle_pg_transfer]}") of random transfers | ${result[settle_pg_order_confirm_latency]} | $(costs settle_pg_order_confirm) | ${result[settle_pg_order_confirm_cpu]} |
| Settle PostgreSQL: POST /v1/transfers, random, open loop at half the peak (${result[open_target]}/s scheduled) | ${result[settle_pg_open]:-n/a} transfers/s achieved | $(ratio "${result[settle_pg_open]:-0}" "${result[open_target]}") of the scheduled rate | ${result[settle_pg_open_latency]:-n/a}; timed inside settled: ${result[settle_pg_open_inside_10ms]:-n/a}% within 10 ms, ${result[settle_pg_open_inside_25ms]:-n/a}% within 25 ms; PostgreSQL checkpoints begun during the case: ${result[settle_pg_open_checkpoints]:-n/a}; group commits: ${result[settle_pg_open_commits]:-n/a} | $(costs settle_pg_open) | ${result[settle_pg_open_cpu]:-} |
| Settle PostgreSQL: POST /v1/transfers, random, with a webhook endpoint of every event whose receiver never answers | ${result[settle_pg_webhook_silent]} transfers/s | $(ratio "${result[settle_pg_webhook_silent]}" "${result[settle_pg_transfer]}") of random without it | ${result[settle_pg_webhook_silent_latency]} | $(costs settle_pg_webhook_silent) | ${result[settle_pg_webhook_silent_cpu]} |
| Settle PostgreSQL: webhook delivery lag, POST /v1/transfers at 1,000/s (open loop, ${result[settle_pg_webhook_load]:-n/a}/s achieved), transfer.settled to a receiver answering at once | largest ${result[webhook_lag_max]:-n/a} s, mean ${result[webhook_lag_mean]:-n/a} s behind the log; caught up ${result[webhook_caught_up]:-n/a} s after the load | ${result[webhook_deliveries]:-n/a} deliveries succeeded in the run | ${result[settle_pg_webhook_load_latency]:-n/a} | $(costs settle_pg_webhook_load) | ${result[settle_pg_webhook_load_cpu]:-} |
| Settle SQLite: POST /v1/transfers, random | ${result[settle_sqlite_transfer]} transfers/s | | ${result[settle_sqlite_transfer_latency]} | $(costs settle_sqlite_transfer) | ${result[settle_sqlite_transfer_cpu]} |
| Settle SQLite: GET /v1/accounts/{id} | ${result[settle_sqlite_get]} req/s | | ${result[settle_sqlite_get_latency]} | $(costs settle_sqlite_get) | ${result[settle_sqlite_get_cpu]} |
| Settle memory: $n accounts, each read once (GET, loaded from PostgreSQL) at ${result[memory_walk]} req/s | RSS $(mebibytes "${result[memory_empty]}") empty, $(mebibytes "${result[memory_start]}") at start, $(mebibytes "${result[memory_walked]}") after the walk (peak $(mebibytes "${result[memory_peak]}"), ${result[memory_walked_actors]} accounts resident) | $(per_account "${result[memory_walked]}" "${result[memory_start]}" "${result[memory_walked_actors]}") B per resident account (RSS growth / accounts resident) | ${result[memory_walk_latency]} | $(costs memory_walk) | ${result[memory_walk_cpu]} |
| Settle memory: $n idle accounts, after passivation (${result[memory_passivation_seconds]} s, ${result[memory_idle_actors]} resident) | $(per_account "${result[memory_idle]}" "${result[memory_empty]}" "$n") B per account (RSS $(mebibytes "${result[memory_idle]}")) | target ≤ 1024 B | | | |
| Settle restart with $n accounts: start until /readyz and a GET of an account answer 200 | ${result[memory_restart_seconds]} s | target ≤ 10 s | | | |

Audit after the PostgreSQL cases: ok=${result[settle_pg_audit]}.

PostgreSQL's statement time per transfer, the four longest statements of each case:
- random: ${result[settle_pg_transfer_statement_breakdown]:-n/a}
- random, each with an Idempotency-Key: ${result[settle_pg_keyed_statement_breakdown]:-n/a}
- hot account: ${result[settle_pg_hot_statement_breakdown]:-n/a}
- batches of 1000: ${result[settle_pg_batch_statement_breakdown]:-n/a}
- open loop at half the peak: ${result[settle_pg_open_statement_breakdown]:-n/a}

How the newer cases measure (see docs/BENCHMARKS.md):
- Per transfer (or request): settled's CPU time (user + system, from the case's start until settled is quiet again, so that queued work counts) and PostgreSQL's statement execution time (pg_stat_statements' total_exec_time over every database, utility statements such as COMMIT left out; it includes waits for row locks, which is what pgbench's hot account spends; for pgbench, over its transactions), each divided by the transfers (or requests) answered. PostgreSQL runs with examples/postgresql.conf.
- Confirm: orders (amount 1, random payer and payee, capture_method automatic) are created over HTTP for ${duration} s (the orders/s row), then wrk confirms each once; the script counts confirms/s and latencies itself, from the first confirm sent to the last answer.
- Open loop: Debian's wrk is closed-loop, so settle.lua's delay() hands out arrivals from one global schedule at a fixed rate (half of this run's random-transfer rate) to the $connections connections; a latency counts from the scheduled arrival (or the send, if earlier), so waiting for a free connection is charged. wrk's timers have 1 ms granularity.
- Memory: the $n accounts (and their user) are inserted with one SQL statement (${result[memory_insert_seconds]} s), with the columns settled writes, because what is measured is the server's memory. settled runs with --settle.passivate-after=$passivate_after and --settle.max-resident=$n; accounts walked more than $passivate_after s before the walk's end may have passivated already, hence "per resident account". Per idle account = (RSS after passivation - RSS on the empty database) / $n. Stopping settled (SIGTERM) took ${result[memory_stop_seconds]} s.
TABLE
}

measure_pgbench
measure_http_ceiling
measure_settle_postgresql
measure_settle_sqlite
measure_memory
mkdir -p bench/results
file="bench/results/$(date -u +%Y%m%d-%H%M%S).md"
report | tee "$file"
echo "written to $file"
