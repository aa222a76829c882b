#!/usr/bin/env bash
# Runs a command with a throwaway PostgreSQL: initdb into a temporary folder as the
# postgres user (initdb refuses root), serve on a free loopback port, export the DSN
# as SETTLE_TEST_POSTGRES_DSN, run the command, and always stop and remove the server.
# POSTGRES_OPTIONS adds server settings, e.g. for profiling:
#   POSTGRES_OPTIONS="-c shared_preload_libraries=pg_stat_statements"
# POSTGRES_CONFIG names a settings file to include (bench/run: examples/postgresql.conf);
# the settings above on the command line (fsync, synchronous_commit, ...) still win.
set -euo pipefail

pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
data_root=$(mktemp -d /tmp/settle-postgres.XXXXXX)
chmod 755 "$data_root"

run_as_postgres() {
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

stop_postgres() {
  run_as_postgres "$pg_bin/pg_ctl" -D "$data_root/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$data_root"
}
trap stop_postgres EXIT

source "$(dirname "$0")/free-port.sh"
port=$(free_loopback_port)

if [[ $(id -u) -eq 0 ]]; then
  chown postgres:postgres "$data_root"
fi
run_as_postgres "$pg_bin/initdb" -D "$data_root/data" -U settle -A trust \
  --encoding=UTF8 --locale=C.UTF-8 >"$data_root/initdb.log" 2>&1 \
  || { cat "$data_root/initdb.log" >&2; exit 1; }
if [[ -n "${POSTGRES_CONFIG:-}" ]]; then
  echo "include '$(realpath "$POSTGRES_CONFIG")'" >>"$data_root/data/postgresql.conf"
fi
run_as_postgres "$pg_bin/pg_ctl" -D "$data_root/data" -w -t 60 -l "$data_root/server.log" \
  -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$data_root \
      -c fsync=on -c synchronous_commit=on -c max_connections=200 ${POSTGRES_OPTIONS:-}" start >/dev/null

export SETTLE_TEST_POSTGRES_DSN="postgresql://settle@127.0.0.1:$port/postgres"
echo "with-postgres: PostgreSQL on 127.0.0.1:$port"
set +e
"$@"
status=$?
set -e
exit $status
