#!/usr/bin/env bash
# A database written by an older build, opened by this one: the migration must keep what
# clients already hold. Usage: scripts/check-upgrade.sh OLD_SETTLED [STORAGE_URL]
# (default: a new SQLite file; for PostgreSQL run it under scripts/with-postgres.sh with
# "$SETTLE_TEST_POSTGRES_DSN"). The old build makes a user, two accounts, a deposit and
# three transfers; this build makes two more. Then: the entries written before keep their
# ids and list below the new ones, amounts and balance_after run on across the
# migration, an account's transfers list likewise, one-by-one pages reach every item, and
# the audit is exact. Exits non-zero on any difference.
set -euo pipefail
cd "$(dirname "$0")/.."
old_binary="$1"
new_binary="$PWD/build/release/settled/settled"
work="$(mktemp -d)"
url="${2:-sqlite:$work/upgrade.db}"
server=""
trap 'if [[ -n "$server" ]]; then kill "$server" 2>/dev/null || true; fi; rm -rf "$work"' EXIT
source scripts/free-port.sh
port=$(free_loopback_port)
base="http://127.0.0.1:$port"
printf 'admin-key admin admin\ntenant-key acme tenant\n' >"$work/keys"

start() {
  : >"$work/out"
  "$1" --http.listen="127.0.0.1:$port" --storage.url="$url" --auth.keys-file="$work/keys" \
       >"$work/out" 2>&1 &
  server=$!
  until grep -q "listening on" "$work/out"; do
    kill -0 "$server" 2>/dev/null || { cat "$work/out" >&2; exit 1; }
    sleep 0.05
  done
}
stop() { kill "$server"; wait "$server" || true; server=""; }
post() {
  curl -sf -H "Authorization: Bearer tenant-key" -H 'Content-Type: application/json' \
       -d "$2" "$base$1"
}
get() { curl -sf -H "Authorization: Bearer ${2:-tenant-key}" "$base$1"; }
id_of() { python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])'; }
move() { post /v1/transfers "{\"from_account\":\"$a\",\"to_account\":\"$b\",\"amount\":$1,\"currency\":\"USD\"}" >/dev/null; }
# Every id of a list, read one page of PAGE items at a time.
paged_ids() {
  local path="$1" size="$2" cursor="" ids all=""
  while :; do
    ids=$(get "$path&limit=$size${cursor:+&starting_after=$cursor}" |
          python3 -c 'import json, sys; print(" ".join(o["id"] for o in json.load(sys.stdin)["data"]))')
    [[ -z "$ids" ]] && break
    all="$all $ids"
    cursor=${ids##* }
  done
  echo $all
}

start "$old_binary"
user=$(post /v1/users '{"name":"Upgrade","email":"upgrade@example.com"}' | id_of)
a=$(post /v1/accounts "{\"user_id\":\"$user\",\"currency\":\"USD\"}" | id_of)
b=$(post /v1/accounts "{\"user_id\":\"$user\",\"currency\":\"USD\"}" | id_of)
post "/v1/accounts/$a/deposits" '{"amount":1000}' >/dev/null
for amount in 1 2 3; do move "$amount"; done
entries_before=$(get "/v1/accounts/$a/entries?limit=100")
stop

start "$new_binary"
for amount in 4 5; do move "$amount"; done
python3 - "$entries_before" "$(get "/v1/accounts/$a/entries?limit=100")" \
          "$(get "/v1/transfers?account=$a&limit=100")" \
          "$(paged_ids "/v1/accounts/$a/entries?" 1)" "$(paged_ids "/v1/transfers?account=$a" 2)" \
          "$(get /v1/audit admin-key)" <<'CHECK'
import json, sys
before = json.loads(sys.argv[1])["data"]
after = json.loads(sys.argv[2])["data"]
transfers = json.loads(sys.argv[3])["data"]
paged_entries, paged_transfers = sys.argv[4].split(), sys.argv[5].split()
audit = json.loads(sys.argv[6])
def expect(condition, what):
    if not condition:
        sys.exit("upgrade check failed: " + what)
expect([e["id"] for e in after[2:]] == [e["id"] for e in before], "entries before keep their ids, below the new ones")
expect([e["amount"] for e in after] == [-5, -4, -3, -2, -1, 1000], "amounts across the migration")
expect([e["balance_after"] for e in after] == [985, 990, 994, 997, 999, 1000], "balance_after across the migration")
expect([t["amount"] for t in transfers] == [5, 4, 3, 2, 1, 1000], "the account's transfers, newest first")
expect(paged_entries == [e["id"] for e in after], "entries paged one by one")
expect(paged_transfers == [t["id"] for t in transfers], "transfers paged two by two")
expect(audit["ok"] and audit["currencies"][0]["entries"] == 12, "the audit")
print("upgrade check passed: %d entries, %d transfers, audit ok" % (len(after), len(transfers)))
CHECK
stop
