#!/usr/bin/env bash
# Installs the Debian packages that building, running and testing Settle need,
# and only those that are missing (apt-get update runs once, and only if needed).
#   install-dependencies.sh --run     what building and running settled needs (make run)
#   install-dependencies.sh [PKG...]  that, and what the tests need, and PKG (bench/run
#                                     adds its tools)
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

packages=(
  g++ make cmake ninja-build ccache pkg-config ca-certificates
  libcaf-dev libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libsoci-dev libsqlite3-dev libpq-dev libssl-dev libjemalloc-dev
)
if [[ "${1:-}" == --run ]]; then
  shift
else
  packages+=(
    catch2 postgresql postgresql-contrib curl procps openssl chromium
    # Chinese glyphs for the dashboard's screenshots in Chinese (a small CJK font).
    fonts-wqy-microhei
    # The front of the cluster example and of the cluster tests.
    nginx-light
  )
  # Node.js runs the browser test (playwright-core) and the OpenAPI lint (Redocly's CLI),
  # both from npm; a machine may already have its own Node.js, then Debian's is not needed.
  if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    packages+=(nodejs npm)
  fi
fi
packages+=("$@")

missing=()
for package in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  if [[ "$status" != "install ok installed" ]]; then
    missing+=("$package")
  fi
done

if ((${#missing[@]} == 0)); then
  exit 0
fi

sudo_prefix=()
if [[ $(id -u) -ne 0 ]]; then
  sudo_prefix=(sudo)
fi
echo "installing missing packages: ${missing[*]}"
"${sudo_prefix[@]}" apt-get update -q
"${sudo_prefix[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
