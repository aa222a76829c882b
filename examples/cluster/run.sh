#!/usr/bin/env bash
# A three-node Settle cluster on this machine, to try: a throwaway PostgreSQL that the
# nodes share, three settled nodes that split the 64 shards between them and speak to
# each other over mutual TLS (a CA and node certificates made here with openssl), and
# nginx in front on loopback, all in temporary folders. Prints the one URL to use and the
# keys.
# A node that exits is started again 15 s later, as a supervisor would, so that a
# failover and the rejoin can both be watched. Ctrl-C stops everything and removes it.
#
# Usage: examples/cluster/run.sh        (after `make build`; SETTLED_BINARY overrides)
# For scripts (bench/cluster): SETTLE_CLUSTER_NODES sets the number of nodes (default 3);
# SETTLE_CLUSTER_WORK names the folder for the keys, logs and nginx's files, which is then
# kept afterwards (default: a temporary folder, removed).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repository=$(cd "$here/../.." && pwd)

# The PostgreSQL comes from the test suite's script, which starts it, runs this script
# again inside, and stops and removes it afterwards, whatever happens.
if [[ -z "${SETTLE_CLUSTER_EXAMPLE_DATABASE:-}" ]]; then
  export SETTLE_CLUSTER_EXAMPLE_DATABASE=starting
  exec "$repository/scripts/with-postgres.sh" "$0" "$@"
fi

binary=${SETTLED_BINARY:-$repository/build/release/settled/settled}
nginx=${NGINX:-/usr/sbin/nginx}
node_count=${SETTLE_CLUSTER_NODES:-3}
restart_delay_seconds=15
if [[ ! -x "$binary" ]]; then
  echo "no settled at $binary: build it first (make build), or set SETTLED_BINARY" >&2
  exit 1
fi
if [[ ! -x "$nginx" ]]; then
  echo "no nginx at $nginx: scripts/install-dependencies.sh installs nginx-light" >&2
  exit 1
fi

if [[ -n "${SETTLE_CLUSTER_WORK:-}" ]]; then
  work=$SETTLE_CLUSTER_WORK
  mkdir -p "$work"
else
  work=$(mktemp -d /tmp/settle-cluster.XXXXXX)
fi
# nginx's workers run as `nobody` and must reach their temporary folders in here.
chmod 755 "$work"
node_pids=()
nginx_pid=""

stop_everything() {
  # SIGTERM: each node hands its shards over and exits; kill -9 after 20 s.
  for pid in "${node_pids[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${node_pids[@]}"; do
    for _ in $(seq 1 200); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
  done
  if [[ -n "$nginx_pid" ]]; then
    kill -TERM "$nginx_pid" 2>/dev/null || true
  fi
  [[ -n "${SETTLE_CLUSTER_WORK:-}" ]] || rm -rf "$work"
}
trap stop_everything EXIT
# A normal exit, so that with-postgres.sh goes on to stop the database.
trap 'echo; echo "stopping the cluster"; exit 0' INT TERM

random_hex() { od -An -N12 -tx1 /dev/urandom | tr -d ' \n'; }

# One database for all nodes, next to the server's default one.
database_url="${SETTLE_TEST_POSTGRES_DSN%/postgres}/settle"
psql "$SETTLE_TEST_POSTGRES_DSN" -q -c 'CREATE DATABASE settle'

admin_key="sk_admin_$(random_hex)"
tenant_key="sk_acme_$(random_hex)"
printf '%s operations admin\n%s acme tenant\n' "$admin_key" "$tenant_key" >"$work/keys"

# The cluster's own CA, and a certificate it signs for each node (EC P-256; each node
# both accepts and dials, so each certificate serves both ends). Only a node presenting a
# certificate of this CA can reach another node's actors.
openssl_quiet() { openssl "$@" >/dev/null 2>&1; }
openssl_quiet req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 \
  -keyout "$work/ca.key" -out "$work/ca.pem" -subj "/CN=Settle cluster CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
for ((index = 1; index <= node_count; index++)); do
  id="node-$index"
  openssl_quiet req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$work/$id.key" -out "$work/$id.csr" -subj "/CN=$id"
  printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=DNS:%s,IP:127.0.0.1\n' "$id" >"$work/$id.ext"
  openssl_quiet x509 -req -in "$work/$id.csr" -CA "$work/ca.pem" -CAkey "$work/ca.key" \
    -CAcreateserial -days 30 -sha256 -extfile "$work/$id.ext" -out "$work/$id.pem"
done

source "$repository/scripts/free-port.sh"
chosen=()
http_ports=()
cluster_ports=()
for ((index = 0; index < node_count; index++)); do
  http_ports+=("$(free_loopback_port "${chosen[@]}")")
  chosen+=("${http_ports[index]}")
  cluster_ports+=("$(free_loopback_port "${chosen[@]}")")
  chosen+=("${cluster_ports[index]}")
done
front_port=$(free_loopback_port "${chosen[@]}")

# The other nodes, as --cluster.seeds wants them: ID@HOST:PORT,...
seeds_of() {
  local seeds=()
  for ((other = 0; other < node_count; other++)); do
    ((other == $1)) || seeds+=("node-$((other + 1))@127.0.0.1:${cluster_ports[other]}")
  done
  (IFS=,; echo "${seeds[*]}")
}

# Each node in a session of its own (setsid), so that Ctrl-C reaches only this script,
# which then stops the nodes in order. A lone node (SETTLE_CLUSTER_NODES=1) has no
# seeds, and no --cluster.seeds.
start_node() {
  local id="node-$(($1 + 1))" seeds
  seeds=$(seeds_of "$1")
  setsid "$binary" --cluster.node-id="$id" \
    --http.listen="127.0.0.1:${http_ports[$1]}" \
    --cluster.listen="127.0.0.1:${cluster_ports[$1]}" \
    ${seeds:+--cluster.seeds="$seeds"} \
    --cluster.tls-ca="$work/ca.pem" --cluster.tls-cert="$work/$id.pem" \
    --cluster.tls-key="$work/$id.key" \
    --storage.url="$database_url" \
    --auth.keys-file="$work/keys" >>"$work/$id.log" 2>&1 &
  node_pids[$1]=$!
}

wait_until_ready() {
  local url=$1
  for _ in $(seq 1 600); do
    [[ $(curl -s -o /dev/null -w '%{http_code}' "$url/readyz") == 200 ]] && return 0
    sleep 0.1
  done
  echo "$url did not become ready within 60 s; its log:" >&2
  return 1
}

for ((index = 0; index < node_count; index++)); do
  start_node "$index"
done
for ((index = 0; index < node_count; index++)); do
  wait_until_ready "http://127.0.0.1:${http_ports[index]}" || { tail -n 40 "$work/node-$((index + 1)).log" >&2; exit 1; }
done

# The same configuration as the cluster tests use: see nginx.conf.in.
node_lines=""
for port in "${http_ports[@]}"; do
  node_lines+="127.0.0.1:$port "
done
awk -v directory="$work" -v listen="127.0.0.1:$front_port" -v nodes="$node_lines" '
  /@NODE@/ { count = split(nodes, addresses, " ")
             for (i = 1; i <= count; i++) { line = $0; gsub(/@NODE@/, addresses[i], line); print line }
             next }
  { gsub(/@DIRECTORY@/, directory); gsub(/@LISTEN@/, listen); print }
' "$here/nginx.conf.in" >"$work/nginx.conf"
setsid "$nginx" -p "$work/" -c "$work/nginx.conf" -e "$work/error.log" -g 'daemon off;' >>"$work/nginx.out" 2>&1 &
nginx_pid=$!
url="http://127.0.0.1:$front_port"
for _ in $(seq 1 100); do
  curl -s -o /dev/null "$url/healthz" && break
  sleep 0.1
done
if ! curl -s -o /dev/null "$url/healthz"; then
  echo "nginx did not start; its error log:" >&2
  cat "$work/error.log" "$work/nginx.out" >&2 2>/dev/null || true
  exit 1
fi

cat <<EOF

Settle cluster: $node_count nodes sharing one PostgreSQL, mutual TLS between them
(CA and certificates in $work), nginx in front.

  URL          $url        (the one address to use; dashboard at $url/)
  admin key    $admin_key
  tenant key   $tenant_key   (tenant acme)

EOF
for ((index = 0; index < node_count; index++)); do
  echo "  node-$((index + 1))  pid ${node_pids[index]}  http://127.0.0.1:${http_ports[index]}  log $work/node-$((index + 1)).log"
done
cat <<EOF

  curl -s -H "Authorization: Bearer $admin_key" $url/v1/cluster
  API_KEY=$admin_key BASE_URL=$url $repository/examples/walkthrough.sh

Try a failover: kill -9 one node's pid and watch GET /v1/cluster: its shards move to the
others within about 7 s; $restart_delay_seconds s after it died it is started again and takes its share back.
Ctrl-C stops everything.
EOF

# The supervisor: a node that has exited is started again after the delay. Its standard
# error is dropped: bash would print a "Killed" line with the node's whole command line.
declare -A restart_at=()
while true; do
  for ((index = 0; index < node_count; index++)); do
    id="node-$((index + 1))"
    if [[ -n "${restart_at[$index]:-}" ]]; then
      if ((SECONDS >= restart_at[$index])); then
        unset "restart_at[$index]"
        start_node "$index"
        echo "$id started again (pid ${node_pids[index]})"
      fi
    elif ! kill -0 "${node_pids[index]}" 2>/dev/null; then
      status=0
      wait "${node_pids[index]}" 2>/dev/null || status=$?
      echo "$id (pid ${node_pids[index]}) exited with status $status; starting it again in $restart_delay_seconds s"
      restart_at[$index]=$((SECONDS + restart_delay_seconds))
    fi
  done
  sleep 1
done 2>/dev/null
