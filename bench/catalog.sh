#!/bin/sh
# The catalog at scale: a node's start (full load), one change applied from
# the store's change feed next to a full reload per change, the delay
# before another store handle's new client is served, a revocation, and
# the hot-path lookups; at 1, 10k and 100k clients and 0 or 100k
# revocations, on SQLite and on PostgreSQL (TOLLGATE_TEST_POSTGRES, default
# postgres://postgres@127.0.0.1:5432/test; skipped when unreachable).
#
#   bench/catalog.sh                 # every benchmark
#   bench/catalog.sh 'Load|Revoke'   # those whose name matches
#
# Read cpu-ns/op (this process's CPU time per operation) as well as ns/op:
# on a shared machine wall time varies with other work.
set -eu
cd "$(dirname "$0")/.."
only=${1:-.}
for spec in Load:3x ApplyChange:10x Visibility:20x Revoke:20x GetClient:1s; do
	name=${spec%%:*}
	if echo "$name" | grep -Eq -- "$only"; then
		go test -run '^$' -benchmem -bench "^Benchmark$name\$" -benchtime "${spec#*:}" ./internal/catalog
	fi
done
