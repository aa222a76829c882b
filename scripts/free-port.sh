# shellcheck shell=bash
# Sourced by the scripts that start servers on loopback (with-postgres.sh, the cluster
# example, the benchmarks). free_loopback_port prints a random port between 20000 and
# 31999 on which nothing listens and that is not among its arguments (ports already chosen
# but not yet bound), or fails after 100 tries. The range stays below Linux's ephemeral
# ports (32768 and up), so an outgoing connection, e.g. to PostgreSQL, cannot take the
# port between this check and the server's bind.
free_loopback_port() {
  local candidate
  for _ in $(seq 1 100); do
    candidate=$((20000 + RANDOM % 12000))
    if [[ " $* " != *" $candidate "* ]] && ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then
      echo "$candidate"
      return 0
    fi
  done
  echo "no free loopback port found" >&2
  return 1
}
