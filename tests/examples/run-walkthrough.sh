#!/usr/bin/env bash
# Runs examples/walkthrough.sh against a real settled on a fresh SQLite file, so the
# README's walkthrough is known to work. Usage: run-walkthrough.sh SETTLED_BINARY
set -euo pipefail
binary="$1"
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
server=""
cleanup() {
  if [[ -n "$server" ]]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

"$binary" --http.listen=127.0.0.1:0 --storage.url="sqlite:$work/settle.db" >"$work/out" 2>"$work/err" &
server=$!
for _ in $(seq 1 100); do
  grep -q "listening on" "$work/out" && break
  sleep 0.1
done
url="$(grep -o 'http://[0-9.:]*' "$work/out" | head -n 1)"
key="$(grep -o 'sk_admin_[a-z0-9]*' "$work/out" | head -n 1)"
if [[ -z "$url" || -z "$key" ]]; then
  echo "settled did not start:" >&2; cat "$work/out" "$work/err" >&2; exit 1
fi
BASE_URL="$url" API_KEY="$key" bash "$here/../../examples/walkthrough.sh"
