#!/usr/bin/env bash
# Lambda proxy integration benchmark: builds tollgate and runs bench/lambda,
# which serves one Node.js handler both as a Lambda function (AWS_PROXY) and
# as an HTTP server (HTTP_PROXY) behind the same gateway route and
# authorizer, and measures both in one run. Needs node. Usage:
# bench/lambda.sh [-duration 10s -connections 4]
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
CGO_ENABLED=0 go build -o "$work/tollgate" ./cmd/tollgate
go run ./bench/lambda -tollgate "$work/tollgate" "$@"
