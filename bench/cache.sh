#!/usr/bin/env bash
# Verification cache memory benchmark: starts the upstream and `tollgate dev`
# with an HTTP_PROXY API behind the Cognito authorizer (bench/stack.sh), then
# bench/cacheload mints distinct tokens one after the other and sends each
# once through the gateway, printing Tollgate's resident set size (VmRSS)
# and the cache's gauges at 10k, 50k, 100k and 200k distinct tokens.
# Usage: bench/cache.sh [cacheload flags, e.g. -checkpoints 1000,5000
# -concurrency 8]; Tollgate flags in TOLLGATE_FLAGS (e.g.
# TOLLGATE_FLAGS=--verify-cache-size=16MiB).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/stack.sh
. bench/stack.sh
go build -o "$work/cacheload" ./bench/cacheload
admin_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
# shellcheck disable=SC2086 # TOLLGATE_FLAGS is a list of flags
start_stack --admin-listen "127.0.0.1:$admin_port" ${TOLLGATE_FLAGS:-}
[ "$stack_ok" = yes ] || exit 2
"$work/cacheload" -api-url "${api%/}/bench" -token-url "$token_url" -client-id "$id" -client-secret "$secret" \
	-pid "$tg_pid" -metrics "http://127.0.0.1:$admin_port/metrics" "$@"
