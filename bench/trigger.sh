#!/usr/bin/env bash
# Pre token generation trigger benchmark: builds tollgate and tokenload,
# runs `tollgate dev` on a free loopback port with two pools, one without a
# trigger and one whose V3_0 pre token generation trigger is a Node.js
# function (it adds two claims and a scope, as the README's example does),
# and runs tokenload against a client of each, one after the other, in one
# run: the difference is what a warm trigger costs a token. Needs node.
# Usage: bench/trigger.sh [tokenload flags, e.g. -duration 20s -concurrency 8]
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
command -v node >/dev/null || { echo "trigger.sh: node is required" >&2; exit 1; }
node_major=$(node --version | sed 's/^v\([0-9]*\).*/\1/')
CGO_ENABLED=0 go build -o "$work/tollgate" ./cmd/tollgate
go build -o "$work/tokenload" ./bench/tokenload

mkdir "$work/fn"
cat >"$work/fn/index.mjs" <<'JS'
export const handler = async (event) => {
  event.response = {
    claimsAndScopeOverrideDetails: {
      accessTokenGeneration: {
        claimsToAddOrOverride: { tenant: event.request.clientMetadata?.tenant ?? "none", tier: 2 },
        scopesToAdd: ["bench/extra"],
      },
    },
  };
  return event;
};
JS
# One token request at a time per instance: as many instances as the
# load has connections, so that the function is not the queue.
cat >"$work/tollgate.yaml" <<YAML
region: us-east-1
functions:
  - {id: TokenFn, runtime: nodejs${node_major}.x, handler: index.handler, code: fn, timeout: 5s, reservedConcurrency: 64}
userPools:
  - id: Plain
    resourceServers:
      - {id: Rs, identifier: bench, userPoolResourceServerName: bench, scopes: [{scopeName: read, scopeDescription: read}]}
    clients:
      - {id: PlainClient, generateSecret: true, oAuth: {flows: {clientCredentials: true}, scopes: [bench/read]}}
  - id: Triggered
    lambdaTriggers:
      preTokenGeneration: {function: TokenFn, lambdaVersion: V3_0}
    resourceServers:
      - {id: Rs, identifier: bench, userPoolResourceServerName: bench, scopes: [{scopeName: read, scopeDescription: read}]}
    clients:
      - {id: TriggeredClient, generateSecret: true, oAuth: {flows: {clientCredentials: true}, scopes: [bench/read]}}
YAML
"$work/tollgate" dev --config "$work/tollgate.yaml" --data "$work/data" --listen 127.0.0.1:0 --log-level warn >"$work/out" 2>"$work/log" &
pid=$!
for _ in $(seq 100); do grep -q '^Stop with Ctrl-C' "$work/out" 2>/dev/null && break; sleep 0.1; done
grep -q '^Stop with Ctrl-C' "$work/out" || { echo "trigger.sh: tollgate dev did not start:" >&2; cat "$work/out" "$work/log" >&2; exit 1; }
url=$(sed -n 's/^Token URL: *//p' "$work/out")
ids=($(sed -n 's/^ *Client id: *//p' "$work/out"))
secrets=($(sed -n 's/^ *Client secret: *//p' "$work/out"))
echo "== without a trigger (pool Plain)"
"$work/tokenload" -url "$url" -client-id "${ids[0]}" -client-secret "${secrets[0]}" -server-pid "$pid" "$@"
echo
echo "== with a V3_0 Node.js trigger (pool Triggered)"
"$work/tokenload" -url "$url" -client-id "${ids[1]}" -client-secret "${secrets[1]}" -server-pid "$pid" "$@"
