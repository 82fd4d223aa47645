#!/bin/sh
# Regenerates cdk.out/ from app.js with the aws-cdk-lib version that
# package-lock.json pins. Needs node and npm; commit what changes.
set -eu
cd "$(dirname "$0")"
npm ci --no-audit --no-fund
rm -rf cdk.out
node app.js
# Construct creation stacks name files of this machine: make them relative.
sed -i "s#$(pwd)/##g" cdk.out/*.json
echo "synthesized $(ls cdk.out/*.template.json) and its assets into cdk.out/"
