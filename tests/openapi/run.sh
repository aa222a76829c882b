#!/usr/bin/env bash
# Installs @redocly/cli (npm, once) and lints the OpenAPI document: errors fail, warnings
# are listed.
#   run.sh OPENAPI_FILE
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
document="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
cd "$here"
# Installs again when the installed release is not the one package.json pins.
wanted=$(node -p 'require("./package.json").dependencies["@redocly/cli"]')
installed=$(node -p 'try { require("./node_modules/@redocly/cli/package.json").version } catch { "" }')
if [[ "$installed" != "$wanted" ]]; then
  npm install --no-audit --no-fund --loglevel=error
fi
# No telemetry, no update check: the test talks to nothing but the file.
REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true \
  node node_modules/@redocly/cli/bin/cli.js lint --format=stylish "$document"
