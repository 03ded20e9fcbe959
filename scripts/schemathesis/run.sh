#!/usr/bin/env bash
# Runs schemathesis (from PyPI) against the service's own OpenAPI document: every operation, every check,
# at least 100 examples each, on a fresh SQLite database with a complaints manager's token and staff users.
# Usage: scripts/schemathesis/run.sh [st run options…]; REDRESS_BIN names the binary (default
# target/debug/redress, built if missing).
set -euo pipefail
cd "$(dirname "$0")/../.."

# Pinned: the hooks use its test-case metadata.
if ! python3 -m schemathesis.cli --version 2>/dev/null | grep -q 'version 4.32.5'; then
  python3 -m pip install -q --root-user-action=ignore 'schemathesis==4.32.5'
fi
bin="${REDRESS_BIN:-target/debug/redress}"
[ -x "$bin" ] || cargo build -q -p redress

work="$(mktemp -d)"
port="${REDRESS_SCHEMATHESIS_PORT:-18181}"
url="sqlite://$work/redress.db"
"$bin" migrate --database-url "$url" >/dev/null
token="$("$bin" token create --database-url "$url" --role complaints_manager --name schemathesis | tail -n 1)"
staff=""
for who in investigator:priya complaints_manager:morag reviewer:ben; do
  role="${who%%:*}"; name="${who##*:}"
  echo "a long enough password" | "$bin" user add --database-url "$url" --email "$name@example.org" \
    --name "$name" --role "$role" >/dev/null
  staff="$staff${staff:+,}$name@example.org"
done
"$bin" serve --database-url "$url" --bind "127.0.0.1:$port" >"$work/serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 50); do
  curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break
  sleep 0.2
done

export SCHEMATHESIS_HOOKS=hooks
export PYTHONPATH="$PWD/scripts/schemathesis${PYTHONPATH:+:$PYTHONPATH}"
export REDRESS_STAFF="$staff"
# The upload (multipart) is left out: its parts arrive as text or bytes, so schemathesis's negative cases for
# it (a description "of the wrong JSON type") are not invalid requests, and it flags valid uploads as accepted
# violations. What makes an upload invalid (no file, an empty one, a type outside the allow-list, too large,
# a viewer, a confidential case) is tested on both backends in crates/redress/tests/documents.rs.
python3 -m schemathesis.cli --config-file scripts/schemathesis/schemathesis.toml \
  run "http://127.0.0.1:$port/api/v1/openapi.json" \
  --header "Authorization: Bearer $token" \
  --checks all \
  --max-examples 100 \
  --workers 2 \
  --seed "${REDRESS_SCHEMATHESIS_SEED:-20261203}" \
  --exclude-operation-id upload_document \
  "$@"
