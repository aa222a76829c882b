#!/usr/bin/env bash
# Installs playwright-core (npm, once) and runs the dashboard test in Debian's Chromium.
#   run.sh SETTLED_BINARY ARTIFACT_FOLDER [https]
# With https, settled serves the page over HTTPS (its events over WSS) with a certificate
# made here by openssl, which Node.js is told to trust.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"
# Installs again when the installed release is not the one package.json pins (a checkout
# that had an older pin installed keeps its node_modules).
wanted=$(node -p 'require("./package.json").dependencies["playwright-core"]')
installed=$(node -p 'try { require("./node_modules/playwright-core/package.json").version } catch { "" }')
if [[ "$installed" != "$wanted" ]]; then
  npm install --no-audit --no-fund --loglevel=error
fi
if [[ "${3:-http}" == https ]]; then
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -keyout "$work/key.pem" -out "$work/cert.pem" -subj "/CN=127.0.0.1" \
    -addext "subjectAltName=IP:127.0.0.1" >/dev/null 2>&1
  SETTLE_TEST_TLS_CERT="$work/cert.pem" SETTLE_TEST_TLS_KEY="$work/key.pem" \
    NODE_EXTRA_CA_CERTS="$work/cert.pem" node dashboard_test.js "$1" "$2"
else
  node dashboard_test.js "$1" "$2"
fi
