#!/usr/bin/env bash
# Runs the browser tests: builds the server binary they start, installs the npm packages when missing, then
# `npm test` (node's test runner). Needs Debian's chromium (and chromium-l10n for en-GB date fields) and Node 20+:
# scripts/test.sh installs the first and, where the system's node is older, fetches the second. Screenshots go to
# target/screenshots/.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here/.."

cargo build -p redress

cd "$here"
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
npm test
