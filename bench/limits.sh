#!/usr/bin/env bash
# API keys, usage plans and shared limits under load: builds tollgate and
# bench/limits and runs it (see bench/limits/main.go): the gateway's
# key-required and keyless MOCK methods driven by wrk with local limits and
# with --redis, then three `tollgate serve` nodes on PostgreSQL behind nginx
# with one key throttled to -rate requests/s, with and without --redis.
# Needs wrk, nginx, Redis (-redis, default redis://127.0.0.1:6379/0) and
# PostgreSQL (TOLLGATE_BENCH_DSN, default
# postgres://postgres@127.0.0.1:5432/test; the nodes use a schema of their
# own, dropped afterwards). Usage: bench/limits.sh [flags, e.g.
# -phase cluster -rate 200 -burst 20 -cluster-duration 30s].
set -euo pipefail
cd "$(dirname "$0")/.."
for p in wrk nginx; do
	command -v "$p" >/dev/null || { echo "limits.sh: needs $p (apt-get install wrk nginx-light)" >&2; exit 2; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
CGO_ENABLED=0 go build -o "$work/tollgate" ./cmd/tollgate
go build -o "$work/limits" ./bench/limits
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
"$work/limits" -tollgate "$work/tollgate" "$@"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
