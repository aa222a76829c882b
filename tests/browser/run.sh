#!/usr/bin/env bash
# Installs playwright-core (npm, once) and runs the dashboard test in Debian's Chromium.
#   run.sh SETTLED_BINARY ARTIFACT_FOLDER
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
node dashboard_test.js "$1" "$2"
