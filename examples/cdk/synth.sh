#!/bin/sh
# Regenerates the cloud assemblies of the four CDK apps with the
# aws-cdk-lib version that package-lock.json pins: cdk.out/ from app.js
# (the seed stack), authorizers/cdk.out/ from authorizers/app.js (Lambda
# authorizers and a pre token generation trigger), httpapi/cdk.out/
# from httpapi/app.js (an HTTP API: JWT and Lambda authorizers, Lambda and
# URL integrations, CORS, stages) and usageplans/cdk.out/ from
# usageplans/app.js (API keys and a usage plan). Needs node and npm; commit
# what changes.
set -eu
cd "$(dirname "$0")"
npm ci --no-audit --no-fund
for app in app.js authorizers/app.js httpapi/app.js usageplans/app.js; do
	out="$(dirname "$app")/cdk.out"
	rm -rf "$out"
	node "$app"
	# Construct creation stacks name files of this machine: make them relative.
	sed -i "s#$(pwd)/##g" "$out"/*.json
	echo "synthesized $(ls "$out"/*.template.json) and its assets into $out/"
done
