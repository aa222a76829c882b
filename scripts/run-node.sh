#!/usr/bin/env bash
# Starts one settled node on the embedded default (SQLite at ./settle.db, 127.0.0.1:8080).
# With no keys file, settled makes a random admin key and prints it with the URL.
set -euo pipefail
binary=${SETTLED_BINARY:-build/release/settled/settled}
exec "$binary" --http.listen=127.0.0.1:8080 --storage.url=sqlite:settle.db "$@"
