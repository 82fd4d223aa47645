#!/usr/bin/env bash
# Propagation benchmark: builds tollgate and runs bench/propagation, which
# starts three `tollgate serve` nodes on one PostgreSQL database (a schema
# of its own, dropped afterwards), makes revocations, client deletions,
# secret deletions and key rotations on one node at a time and measures
# how long each takes to be enforced by every node. The database is
# TOLLGATE_BENCH_DSN (default postgres://postgres@127.0.0.1:5432/test).
# Usage: bench/propagation.sh [-changes 30 -nodes 3 -kinds revocation,…]
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
CGO_ENABLED=0 go build -o "$work/tollgate" ./cmd/tollgate
go build -o "$work/propagation" ./bench/propagation
"$work/propagation" -tollgate "$work/tollgate" "$@"
