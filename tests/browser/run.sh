#!/usr/bin/env bash
# Installs playwright-core (npm, once) and runs the dashboard test in Debian's Chromium.
#   run.sh SETTLED_BINARY ARTIFACT_FOLDER
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"
if [[ ! -d node_modules/playwright-core ]]; then
  npm install --no-audit --no-fund --loglevel=error
fi
node dashboard_test.js "$1" "$2"
