#!/usr/bin/env bash
# Gateway load benchmark: builds tollgate and the load generator, starts the
# trivial upstream, runs `tollgate dev` on a free loopback port with the seed
# stack plus a REST API whose route /{proxy+} ANY (Cognito authorizer, scope
# default/default) is an HTTP_PROXY integration to that upstream, and an
# HTTP API whose route ANY /{proxy+} (JWT authorizer on the same pool, same
# scope) is one too, and measures the upstream reached directly, through a
# bare ReverseProxy, through Tollgate's REST API and through its HTTP API,
# in one run. Usage: bench/gateway.sh [gateway flags, e.g.
# -duration 20s -rounds 3 -connections 32]. With TOLLGATE_PERF=file, every
# process is sampled with `perf record -a -g` for the whole run, so that
# Tollgate and the bare proxy can be compared (read it with
# `perf report -i file --comm tollgate` or `--comm gateway`).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/stack.sh
. bench/stack.sh
start_stack
if [ "$stack_ok" != yes ]; then
	echo "gateway.sh: measuring direct and bare only." >&2
	"$work/gateway" -upstream "$upstream" -upstream-pid "$up_pid" "$@"
	exit 2
fi
perf_pid=""
if [ -n "${TOLLGATE_PERF:-}" ]; then
	perf record -F 499 -g -a -o "$TOLLGATE_PERF" >/dev/null 2>&1 &
	perf_pid=$!
fi
"$work/gateway" -upstream "$upstream" -upstream-pid "$up_pid" \
	-tollgate-url "${api%/}/bench" -tollgate-pid "$tg_pid" \
	-token-url "$token_url" -client-id "$id" -client-secret "$secret" \
	${http_api:+-http-api-url "${http_api%/}/bench"} "$@"
if [ -n "$perf_pid" ]; then
	kill -INT "$perf_pid" 2>/dev/null || true
	wait "$perf_pid" 2>/dev/null || true
fi
