#!/usr/bin/env bash
# Signing algorithm benchmark: builds tollgate and tokenload, runs
# `tollgate dev` on a free loopback port with three pools that differ only in
# their signingAlgorithm (RS256, Cognito's; ES256; EdDSA), and runs tokenload
# against a client of each, one after the other, in one run: tokens/s of each
# algorithm through the whole token endpoint on the same machine.
# Usage: bench/algs.sh [tokenload flags, e.g. -duration 20s -concurrency 8]
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
CGO_ENABLED=0 go build -o "$work/tollgate" ./cmd/tollgate
go build -o "$work/tokenload" ./bench/tokenload

algs=(RS256 ES256 EdDSA)
{
  echo "region: us-east-1"
  echo "userPools:"
  for alg in "${algs[@]}"; do
    cat <<YAML
  - id: Pool${alg}
    signingAlgorithm: ${alg}
    resourceServers:
      - {id: Rs, identifier: bench, userPoolResourceServerName: bench, scopes: [{scopeName: read, scopeDescription: read}]}
    clients:
      - {id: Client${alg}, generateSecret: true, oAuth: {flows: {clientCredentials: true}, scopes: [bench/read]}}
YAML
  done
} >"$work/tollgate.yaml"
"$work/tollgate" dev --config "$work/tollgate.yaml" --data "$work/data" --listen 127.0.0.1:0 --log-level warn >"$work/out" 2>"$work/log" &
pid=$!
for _ in $(seq 100); do grep -q '^Stop with Ctrl-C' "$work/out" 2>/dev/null && break; sleep 0.1; done
grep -q '^Stop with Ctrl-C' "$work/out" || { echo "algs.sh: tollgate dev did not start:" >&2; cat "$work/out" "$work/log" >&2; exit 1; }
url=$(sed -n 's/^Token URL: *//p' "$work/out")
ids=($(sed -n 's/^ *Client id: *//p' "$work/out"))
secrets=($(sed -n 's/^ *Client secret: *//p' "$work/out"))
for i in "${!algs[@]}"; do
  [ "$i" -gt 0 ] && echo
  echo "== ${algs[$i]} (pool Pool${algs[$i]})"
  # The raw RS256 signing rate, tokenload's reference, is measured once,
  # beside the RS256 pool.
  sign=()
  [ "$i" -gt 0 ] && sign=(-sign-duration 0)
  "$work/tokenload" -url "$url" -client-id "${ids[$i]}" -client-secret "${secrets[$i]}" -server-pid "$pid" "$@" "${sign[@]}"
done
