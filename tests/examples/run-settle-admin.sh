#!/usr/bin/env bash
# Runs tools/settle-admin against a real settled: the audit, the cluster view and health
# answer; a tenant's key is refused the audit; a new key appended to the keys file passes
# settled --check-config and is served once settled starts again with it.
#   run-settle-admin.sh SETTLED_BINARY
set -euo pipefail
binary="$1"
here="$(cd "$(dirname "$0")" && pwd)"
admin="$here/../../tools/settle-admin"
source "$here/../lib/settled.sh"
work="$settled_work"
fail() { echo "run-settle-admin: $*" >&2; exit 1; }

start() {
  settled_start "$binary" http --auth.keys-file="$work/keys" --cluster.node-id=admin-test
  export SETTLE_URL="$settled_url"
}

printf 'sk_admin_test_1 operations admin\nsk_acme_test_1 acme tenant\n' >"$work/keys"
start
export SETTLE_ADMIN_KEY=sk_admin_test_1

"$admin" audit >"$work/audit" || fail "the audit did not pass: $(cat "$work/audit")"
grep -q '"ok":true' "$work/audit" || fail "the audit printed no ok: $(cat "$work/audit")"
"$admin" cluster | grep -q '"node_id":"admin-test"' || fail "the cluster view names no admin-test"
"$admin" health >/dev/null 2>&1 || fail "health says not ready"
if SETTLE_ADMIN_KEY=sk_acme_test_1 "$admin" audit >/dev/null 2>&1; then
  fail "a tenant's key was given the audit"
fi
if "$admin" key _system admin "$work/keys" >/dev/null 2>&1; then
  fail "a tenant starting with '_' was given a key"
fi

line="$("$admin" key globex tenant "$work/keys" 2>/dev/null)"
new_key="${line%% *}"
[[ "$line" == "sk_tenant_"*" globex tenant" ]] || fail "unexpected key line: $line"
grep -qx "$line" "$work/keys" || fail "the key line was not appended"
"$binary" --check-config --auth.keys-file="$work/keys" --storage.url="sqlite:$work/settle.db" \
  >/dev/null || fail "settled --check-config refused the keys file"

settled_stop
start
status="$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $new_key" "$SETTLE_URL/v1/users")"
[[ "$status" == 200 ]] || fail "the new key got $status from GET /v1/users"
echo "settle-admin: audit, cluster, health, a refused tenant key and a new key all behave"
