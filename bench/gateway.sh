#!/usr/bin/env bash
# Gateway load benchmark: builds tollgate and the load generator, starts the
# trivial upstream, runs `tollgate dev` on a free loopback port with the seed
# stack plus a REST API whose route /{proxy+} ANY (Cognito authorizer, scope
# default/default) is an HTTP_PROXY integration to that upstream, and
# measures the upstream reached directly, through a bare ReverseProxy, and
# through Tollgate, in one run. Usage: bench/gateway.sh [gateway flags, e.g.
# -duration 20s -rounds 3 -connections 32]. With TOLLGATE_PERF=file, every
# process is sampled with `perf record -a -g` for the whole run, so that
# Tollgate and the bare proxy can be compared (read it with
# `perf report -i file --comm tollgate` or `--comm gateway`).
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
up_pid=""
tg_pid=""
cleanup() {
	for p in $tg_pid $up_pid; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
CGO_ENABLED=0 go build -o "$work/tollgate" ./cmd/tollgate
go build -o "$work/gateway" ./bench/gateway

# The upstream first: Tollgate's config names its URL.
"$work/gateway" -role upstream -listen 127.0.0.1:0 -max-lifetime 40m >"$work/upstream.out" &
up_pid=$!
for _ in $(seq 100); do grep -q '^Listening on ' "$work/upstream.out" 2>/dev/null && break; sleep 0.1; done
upstream=$(sed -n 's/^Listening on *//p' "$work/upstream.out")
[ -n "$upstream" ] || { echo "gateway.sh: the upstream did not start" >&2; exit 1; }

# The seed article's stack, with its Lambda replaced by the upstream: the
# user pool, scope default/default and M2M client of examples/seed, and the
# RestApi whose {proxy+} ANY method has the Cognito authorizer and an
# HTTP_PROXY integration (CDK's HttpIntegration with proxy: true).
cat >"$work/tollgate.yaml" <<YAML
region: us-east-1
userPools:
  - id: UserPool
    resourceServers:
      - id: ResourceServer
        identifier: default
        userPoolResourceServerName: default
        scopes:
          - scopeName: default
            scopeDescription: default
    clients:
      - id: BenchClient
        generateSecret: true
        oAuth:
          flows: {clientCredentials: true}
          scopes: [default/default]
restApis:
  - id: BenchApi
    deployOptions: {stageName: prod}
    authorizers:
      - id: Authorizer
        cognitoUserPools: [UserPool]
    resources:
      - path: /{proxy+}
        methods:
          - httpMethod: ANY
            authorizer: Authorizer
            authorizationScopes: [default/default]
            integration:
              type: HTTP_PROXY
              uri: ${upstream}/{proxy}
YAML
"$work/tollgate" validate "$work/tollgate.yaml" >/dev/null

"$work/tollgate" dev --config "$work/tollgate.yaml" --data "$work/data" --listen 127.0.0.1:0 --log-level warn >"$work/out" 2>"$work/log" &
tg_pid=$!
for _ in $(seq 100); do
	grep -q '^Stop with Ctrl-C' "$work/out" 2>/dev/null && break
	kill -0 "$tg_pid" 2>/dev/null || break
	sleep 0.1
done
token_url=$(sed -n 's/^Token URL: *//p' "$work/out")
id=$(sed -n 's/^ *Client id: *//p' "$work/out" | head -1)
secret=$(sed -n 's/^ *Client secret: *//p' "$work/out" | head -1)
# GLUE: the invoke URL dev prints for the API's stage: the first URL on an
# execute-api host, else the first one on an "Invoke URL:" or "API URL:" line.
api=$(grep -Eo 'https?://[^ ]*execute-api[^ ]*' "$work/out" | head -1 || true)
[ -n "$api" ] || api=$(sed -En 's/^ *(Invoke|API) URL: *(http[^ ]*).*/\2/p' "$work/out" | head -1)

if [ -z "$token_url" ] || [ -z "$id" ] || [ -z "$secret" ] || [ -z "$api" ]; then
	{
		echo "gateway.sh: no invoke URL or client credentials from tollgate dev; measuring direct and bare only."
		echo "--- tollgate dev output:"; cat "$work/out"
		echo "--- tollgate dev log:"; cat "$work/log"
		echo "---"
	} >&2
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
	-token-url "$token_url" -client-id "$id" -client-secret "$secret" "$@"
if [ -n "$perf_pid" ]; then
	kill -INT "$perf_pid" 2>/dev/null || true
	wait "$perf_pid" 2>/dev/null || true
fi
