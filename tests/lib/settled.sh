# Sourced by the test scripts that run one real settled on a fresh SQLite file:
#   settled_start BINARY SCHEME [OPTION...]  starts BINARY on a free loopback port with
#       sqlite:$settled_work/settle.db and the options; sets settled_url (SCHEME://ip:port
#       from its ready line) and settled_key (the admin key it printed; empty when a keys
#       file gives the keys); fails with settled's output when no ready line comes in 10 s
#   settled_stop                             stops it (also at exit, with $settled_work
#                                            deleted)
settled_work="$(mktemp -d)"
settled_pid=""
settled_url=""
settled_key=""

settled_stop() {
  if [[ -n "$settled_pid" ]]; then
    kill "$settled_pid" 2>/dev/null || true
    wait "$settled_pid" 2>/dev/null || true
  fi
  settled_pid=""
}
trap 'settled_stop; rm -rf "$settled_work"' EXIT

settled_start() {
  local binary="$1" scheme="$2"
  shift 2
  "$binary" --http.listen=127.0.0.1:0 --storage.url="sqlite:$settled_work/settle.db" "$@" \
    >"$settled_work/out" 2>"$settled_work/err" &
  settled_pid=$!
  for _ in $(seq 1 100); do
    grep -q "listening on" "$settled_work/out" && break
    sleep 0.1
  done
  settled_url="$(grep -o "$scheme://[0-9.:]*" "$settled_work/out" | head -n 1 || true)"
  settled_key="$(grep -o 'sk_admin_[a-z0-9]*' "$settled_work/out" | head -n 1 || true)"
  if [[ -z "$settled_url" ]]; then
    echo "settled did not start with a $scheme:// ready line:" >&2
    cat "$settled_work/out" "$settled_work/err" >&2
    exit 1
  fi
}
