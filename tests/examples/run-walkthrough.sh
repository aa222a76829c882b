#!/usr/bin/env bash
# Runs examples/walkthrough.sh against a real settled on a fresh SQLite file, so the
# README's walkthrough is known to work.
#   run-walkthrough.sh SETTLED_BINARY          over HTTP
#   run-walkthrough.sh SETTLED_BINARY https    over HTTPS, with a certificate made here by
#                                              openssl; plain HTTP on that port must get no
#                                              HTTP answer
set -euo pipefail
binary="$1"
mode="${2:-http}"
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/../lib/settled.sh"
work="$settled_work"

tls_options=()
if [[ "$mode" == https ]]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -keyout "$work/key.pem" -out "$work/cert.pem" -subj "/CN=127.0.0.1" \
    -addext "subjectAltName=IP:127.0.0.1" >/dev/null 2>&1
  tls_options=(--http.tls-cert="$work/cert.pem" --http.tls-key="$work/key.pem")
  export CURL_CA_BUNDLE="$work/cert.pem" # curl trusts the test's own certificate
fi

settled_start "$binary" "$mode" "${tls_options[@]}"
url="$settled_url"
BASE_URL="$url" API_KEY="$settled_key" bash "$here/../../examples/walkthrough.sh"

if [[ "$mode" == https ]]; then
  plain="http://${url#https://}/healthz"
  status=$(curl -s -m 5 -o /dev/null -w '%{http_code}' "$plain" || true)
  if [[ "$status" != 000 ]]; then
    echo "plain HTTP on the HTTPS port got an HTTP answer ($status)" >&2
    exit 1
  fi
  echo "plain HTTP on the HTTPS port: no HTTP answer, as the contract says"
fi
