#!/bin/sh
# Install the npm package gelf-pro (a GELF client for Node.js, UDP with
# chunks and deflate, TCP) into build/npm for the e2e tests.  Idempotent;
# exits 1 when node or npm is missing or the package cannot be had.
ROOT=$(cd "$(dirname "$0")/.." && pwd)
D=$ROOT/build/npm
[ -f "$D/node_modules/gelf-pro/package.json" ] && exit 0
command -v node >/dev/null && command -v npm >/dev/null || exit 1
mkdir -p "$D" || exit 1
(cd "$D" && npm install --no-audit --no-fund --silent gelf-pro@1.4.0 \
	>/dev/null 2>&1) || { echo "fetch-gelf-pro: npm install failed" >&2; exit 1; }
[ -f "$D/node_modules/gelf-pro/package.json" ]
