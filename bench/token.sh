#!/usr/bin/env bash
# Token endpoint load benchmark: builds tollgate, runs `tollgate dev` on a
# free loopback port with a throw-away data directory, and runs tokenload
# against it. Usage: bench/token.sh [tokenload flags, e.g. -duration 20s]
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
CGO_ENABLED=0 go build -o "$work/tollgate" ./cmd/tollgate
go build -o "$work/tokenload" ./bench/tokenload
"$work/tollgate" dev --data "$work/data" --listen 127.0.0.1:0 --log-level warn >"$work/out" 2>"$work/log" &
pid=$!
for _ in $(seq 100); do grep -q '^Stop with Ctrl-C' "$work/out" 2>/dev/null && break; sleep 0.1; done
url=$(sed -n 's/^Token URL: *//p' "$work/out")
id=$(sed -n 's/^ *Client id: *//p' "$work/out" | head -1)
secret=$(sed -n 's/^ *Client secret: *//p' "$work/out" | head -1)
"$work/tokenload" -url "$url" -client-id "$id" -client-secret "$secret" -server-pid "$pid" "$@"
