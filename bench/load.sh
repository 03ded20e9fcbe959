#!/usr/bin/env bash
# Load benchmark of the Redress service: a release build on loopback, driven by wrk, bounded in time.
#
# For each backend (SQLite in a scratch directory; PostgreSQL in a database of its own, if a server answers):
#   1. on a fresh database: complaints created a second (POST /api/v1/complaints), and GET a case;
#   2. `redress generate` fills the database with 1,000,000 realistic cases (timed; skipped when it already
#      holds that many, so that BENCH_KEEP=1 re-runs are quick);
#   3. at 1,000,000 cases: GET a case, the overdue work queue, an officer's open-case queue, searches
#      (GET /api/v1/complaints?q=, bench/search.lua: all kinds rotated, then each kind on its own), and
#      creation again.
# Prints a Markdown table of the figures (also written to target/bench/results-*.md).
#
# Settings (environment): BENCH_DURATION (15s), BENCH_CONNECTIONS (16), BENCH_THREADS (2), BENCH_CASES
# (1000000), BENCH_PORT (18080), BENCH_BACKENDS ("sqlite postgres"), BENCH_PG_URL
# (postgres://postgres@127.0.0.1:5432, a server on this machine), BENCH_PG_DB (redress_bench),
# BENCH_DIR (scratch directory; a new temporary one by default), BENCH_KEEP (1: keep and reuse the
# databases), BENCH_SQLITE_NORMAL (1: also measure creation with ?synchronous=normal), BENCH_QUIET_TIMEOUT
# (300: seconds to wait for an idle machine before each measurement), BENCH_SKIP_BUILD (1),
# BENCH_SEARCH_KINDS (the kinds of search measured one by one after the rotation; "" for none),
# BENCH_ONLY_SEARCH (1: at the full database, measure only the searches), BENCH_BIN (another binary, e.g.
# target/debug/redress with BENCH_SKIP_BUILD=1 and a few cases, to try the script itself).
# See bench/README.md.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"

DURATION=${BENCH_DURATION:-15s}
CONNECTIONS=${BENCH_CONNECTIONS:-16}
THREADS=${BENCH_THREADS:-2}
CASES=${BENCH_CASES:-1000000}
PORT=${BENCH_PORT:-18080}
BACKENDS=${BENCH_BACKENDS:-sqlite postgres}
PG_URL=${BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432}
PG_DB=${BENCH_PG_DB:-redress_bench}
KEEP=${BENCH_KEEP:-0}
SQLITE_NORMAL=${BENCH_SQLITE_NORMAL:-1}
GENERATE_TIMEOUT=${BENCH_GENERATE_TIMEOUT:-1800}
OFFICER=officer-07
BASE="http://127.0.0.1:$PORT"
BIN=${BENCH_BIN:-$ROOT/target/release/redress}

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() {
  log "error: $*"
  exit 1
}

# Everything stays on this machine.
case "$PG_URL" in
  postgres://*@127.0.0.1:* | postgres://*@localhost:* | postgres://127.0.0.1* | postgres://localhost*) ;;
  *) die "BENCH_PG_URL must name a server on 127.0.0.1 or localhost, not $PG_URL" ;;
esac
[[ "$PG_DB" =~ ^[a-z_][a-z0-9_]*$ ]] || die "BENCH_PG_DB must be a plain lower-case name"
DURATION_S=${DURATION%s}
[[ "$DURATION_S" =~ ^[0-9]+$ ]] || die "BENCH_DURATION must be whole seconds, e.g. 15s"

if [[ -z "${BENCH_DIR:-}" ]]; then
  WORK=$(mktemp -d /tmp/redress-bench.XXXXXX)
else
  WORK=$BENCH_DIR
  mkdir -p "$WORK"
fi
RESULTS="$WORK/results.md"
: >"$RESULTS"
GENERATED="$WORK/generated.md"
: >"$GENERATED"

SERVER_PID=
cleanup() {
  if [[ -n "$SERVER_PID" ]]; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  if [[ "$KEEP" != 1 && -z "${BENCH_DIR:-}" ]]; then
    rm -rf "$WORK"
  fi
}
trap cleanup EXIT

# --- Tools and the build ---------------------------------------------------------------------------------

if ! command -v wrk >/dev/null; then
  log "installing wrk"
  if [[ $(id -u) == 0 ]]; then
    apt-get install -y wrk >/dev/null || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }
  else
    sudo apt-get install -y wrk >/dev/null
  fi
fi
for tool in curl jq; do
  command -v "$tool" >/dev/null || die "$tool is needed (apt-get install -y $tool)"
done
if [[ "${BENCH_SKIP_BUILD:-0}" != 1 ]]; then
  log "building the release binary (cargo build --release -p redress)"
  timeout 3600 cargo build --release -p redress >&2
fi
[[ -x "$BIN" ]] || die "no release binary at $BIN"

# --- The service -----------------------------------------------------------------------------------------

# start_server URL NAME: runs `redress serve` in the background and waits for /healthz.
start_server() {
  local url=$1 name=$2
  if curl -sf -o /dev/null "$BASE/healthz"; then
    die "something already answers on $BASE: set BENCH_PORT"
  fi
  REDRESS_LOG=${REDRESS_LOG:-info,sqlx=warn} "$BIN" serve --database-url "$url" --bind "127.0.0.1:$PORT" \
    >>"$WORK/$name.stdout" 2>>"$WORK/$name.log" &
  SERVER_PID=$!
  local i
  for i in $(seq 1 600); do
    if curl -sf -o /dev/null "$BASE/healthz"; then
      return 0
    fi
    kill -0 "$SERVER_PID" 2>/dev/null || die "the server stopped; see $WORK/$name.log"
    sleep 0.1
  done
  die "the server did not answer /healthz within 60 s"
}

stop_server() {
  kill -TERM "$SERVER_PID"
  wait "$SERVER_PID" || true
  SERVER_PID=
}

# token URL NAME: the administrator's token printed at first start, or a new one.
token() {
  local url=$1 name=$2 t
  t=$(sed -n 's/^ *API token: *\(rdt_[0-9a-f]*\).*/\1/p' "$WORK/$name.stdout" | head -n1)
  if [[ -z "$t" ]]; then
    t=$("$BIN" token create --database-url "$url" --role admin --name "load benchmark" | tail -n1)
  fi
  [[ "$t" == rdt_* ]] || die "no API token"
  printf '%s' "$t"
}

# --- Measuring -------------------------------------------------------------------------------------------

# fmt_int 1234567: 1,234,567 (whatever the locale).
fmt_int() { sed ':a;s/\B[0-9]\{3\}\>/,&/;ta' <<<"$1"; }

# idle_pct: how idle the CPUs were over the last 2 seconds (from /proc/stat), in per cent.
idle_pct() {
  local a b
  a=($(sed -n 's/^cpu  //p' /proc/stat))
  sleep 2
  b=($(sed -n 's/^cpu  //p' /proc/stat))
  local total=0 i
  for i in "${!a[@]}"; do total=$((total + b[i] - a[i])); done
  echo $(((100 * (b[3] + b[4] - a[3] - a[4])) / (total > 0 ? total : 1)))
}

# quiet: waits (up to BENCH_QUIET_TIMEOUT seconds, default 300) until the machine is at least 85% idle, so
# that another job (a compiler) does not share the cores with a measurement. Sets IDLE.
quiet() {
  local waited=0 limit=${BENCH_QUIET_TIMEOUT:-300}
  IDLE=$(idle_pct)
  while ((IDLE < 85 && waited < limit)); do
    ((waited == 0)) && log "  waiting for the machine to be idle (it is ${IDLE}% idle)"
    sleep 3
    waited=$((waited + 5))
    IDLE=$(idle_pct)
  done
}

# measure BACKEND TEST CASES_LABEL SCRIPT URL [CONNECTIONS]: one wrk run; appends a row to the results.
measure() {
  local backend=$1 test=$2 cases=$3 script=$4 url=$5 conns=${6:-$CONNECTIONS} out line
  out="$WORK/wrk-$(date +%s%N).txt"
  quiet
  log "$backend: $test ($DURATION, $conns connections; ${IDLE}% idle before)"
  REDRESS_TOKEN=$TOKEN REDRESS_COOKIE=${COOKIE:-} REDRESS_SEARCH_KIND=${REDRESS_SEARCH_KIND:-} timeout $((DURATION_S + 60)) \
    wrk -t"$THREADS" -c"$conns" -d"$DURATION" --latency -s "bench/$script" "$url" >"$out"
  line=$(grep '^BENCH ' "$out") || die "wrk printed no result; see $out"
  field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<" $line"; }
  local rps p50 p99 unexpected last socket errors
  rps=$(field rps)
  p50=$(field p50_ms)
  p99=$(field p99_ms)
  unexpected=$(field unexpected)
  last=$(field last_unexpected)
  socket=$(field socket_errors)
  errors="$unexpected"
  [[ "$unexpected" != 0 ]] && errors="$unexpected (last HTTP $last)"
  [[ "$socket" != 0 ]] && errors="$errors, $socket socket"
  printf '| %s | %s (%s connections) | %s | %s | %s ms | %s ms | %s | %s%% |\n' "$backend" "$test" "$conns" "$cases" \
    "$(fmt_int "${rps%.*}")" "$p50" "$p99" "$errors" "$IDLE" >>"$RESULTS"
  log "  $(fmt_int "${rps%.*}") requests/s, p50 $p50 ms, p99 $p99 ms, unexpected $errors"
}

# generate BACKEND URL NAME: fills the database to $CASES cases (unless it holds that many already).
generate() {
  local backend=$1 url=$2 name=$3 out
  quiet
  log "$backend: redress generate --cases $CASES (${IDLE}% idle before)"
  out=$(timeout "$GENERATE_TIMEOUT" "$BIN" generate --database-url "$url" --cases "$CASES" \
    --skip-if-at-least "$CASES" 2> >(tee -a "$WORK/$name.generate.log" >&2))
  log "  $out"
  printf '| %s | %s |\n' "$backend" "$out" >>"$GENERATED"
  DB_CASES=$(sed -n 's/.*(now \([0-9]*\) cases).*/\1/p; s/.*already holds \([0-9]*\) cases.*/\1/p' <<<"$out")
}

api() { curl -sf -H "Authorization: Bearer $TOKEN" "$BASE$1"; }

# staff_cookie URL: adds a complaints manager and signs in as them; prints the session cookie (name=value).
staff_cookie() {
  local url=$1 email password cookie
  email="bench-$(date +%s%N)@example.org"
  password="bench-password-$(date +%s%N)"
  printf '%s\n' "$password" | "$BIN" user add --database-url "$url" --email "$email" --name "Bench Manager" \
    --role complaints_manager >/dev/null
  cookie=$(curl -s -o /dev/null -D - -X POST --data-urlencode "email=$email" --data-urlencode "password=$password" \
    "$BASE/sign-in" | sed -n 's/^[Ss]et-[Cc]ookie: *\([^;]*\).*/\1/p' | head -n1)
  [[ "$cookie" == *=* ]] || die "could not sign in to the staff pages"
  printf '%s' "$cookie"
}

# measure_searches BACKEND CASES_LABEL: every kind of search in rotation, then each kind on its own.
measure_searches() {
  local backend=$1 at=$2 kind
  measure "$backend" "search: q= rotating surname, name, partial, postcode, phone, email, reference, words" \
    "$at" search.lua "$BASE"
  for kind in ${BENCH_SEARCH_KINDS-surname partial postcode phone reference words}; do
    REDRESS_SEARCH_KIND=$kind measure "$backend" "search: q= $kind" "$at" search.lua "$BASE"
  done
}

# bench_backend LABEL URL NAME FIRST: FIRST says what the database holds at first ("new", or "kept").
bench_backend() {
  local backend=$1 url=$2 name=$3 first=$4 reference
  if [[ "${BENCH_ONLY_SEARCH:-0}" != 1 ]]; then
    start_server "$url" "$name"
    TOKEN=$(token "$url" "$name")
    measure "$backend" "create a complaint (POST)" "$first" create.lua "$BASE/api/v1/complaints"
    reference=$(api "/api/v1/complaints?limit=1" | jq -r '.items[0].reference')
    measure "$backend" "GET a case ($reference)" "$first" read.lua "$BASE/api/v1/complaints/$reference"
    stop_server
  fi

  generate "$backend" "$url" "$name"
  local at
  at=$(fmt_int "$DB_CASES")
  start_server "$url" "$name"
  TOKEN=$(token "$url" "$name")
  if [[ "${BENCH_ONLY_SEARCH:-0}" == 1 ]]; then
    measure_searches "$backend" "$at"
    stop_server
    return
  fi
  reference=$(api "/api/v1/complaints?overdue=true&sort=due&limit=1" | jq -r '.items[0].reference')
  measure "$backend" "GET a case ($reference)" "$at" read.lua "$BASE/api/v1/complaints/$reference"
  measure "$backend" "work queue: overdue, by due date, 50 a page" "$at" read.lua \
    "$BASE/api/v1/complaints?overdue=true&sort=due&limit=50"
  measure "$backend" "work queue: $OFFICER's open cases, by due date, 50 a page" "$at" read.lua \
    "$BASE/api/v1/complaints?open=true&assignee=$OFFICER&sort=due&limit=50"
  measure_searches "$backend" "$at"
  # Staff pages, with two connections so that latency is close to server time (one request per core).
  COOKIE=$(staff_cookie "$url")
  measure "$backend" "staff page: work queue (/), 50 a page with counts" "$at" page.lua "$BASE/" 2
  measure "$backend" "staff page: the case file of $reference" "$at" page.lua "$BASE/complaints/$reference" 2
  measure "$backend" "create a complaint (POST)" "$at" create.lua "$BASE/api/v1/complaints"
  stop_server
}

# --- The runs --------------------------------------------------------------------------------------------

STARTED=$(date +%s)
for backend in $BACKENDS; do
  case "$backend" in
    sqlite)
      if [[ "$KEEP" != 1 ]]; then
        rm -f "$WORK"/sqlite.db* "$WORK"/sqlite.stdout "$WORK"/normal.db* "$WORK"/normal.stdout
      fi
      first=new
      [[ -e "$WORK/sqlite.db" ]] && first="kept (BENCH_KEEP)"
      bench_backend "SQLite" "sqlite://$WORK/sqlite.db" sqlite "$first"
      if [[ "$SQLITE_NORMAL" == 1 && "${BENCH_ONLY_SEARCH:-0}" != 1 ]]; then
        rm -f "$WORK"/normal.db* "$WORK"/normal.stdout
        start_server "sqlite://$WORK/normal.db?synchronous=normal" normal
        TOKEN=$(token "sqlite://$WORK/normal.db?synchronous=normal" normal)
        measure "SQLite, synchronous=normal" "create a complaint (POST)" "new" create.lua \
          "$BASE/api/v1/complaints"
        stop_server
        rm -f "$WORK"/normal.db*
      fi
      ;;
    postgres)
      if ! psql "$PG_URL/postgres" -qAtc 'SELECT 1' >/dev/null 2>&1; then
        log "PostgreSQL does not answer at $PG_URL: skipped"
        printf '| PostgreSQL | skipped: no server at %s | | | | | | |\n' "$PG_URL" >>"$RESULTS"
        continue
      fi
      exists=$(psql "$PG_URL/postgres" -qAtc "SELECT 1 FROM pg_database WHERE datname = '$PG_DB'")
      if [[ "$KEEP" != 1 && "$exists" == 1 ]]; then
        psql "$PG_URL/postgres" -qc "DROP DATABASE $PG_DB" >/dev/null
        exists=
      fi
      first="kept (BENCH_KEEP)"
      if [[ "$exists" != 1 ]]; then
        psql "$PG_URL/postgres" -qc "CREATE DATABASE $PG_DB" >/dev/null
        first=new
      fi
      rm -f "$WORK/postgres.stdout"
      bench_backend "PostgreSQL" "$PG_URL/$PG_DB" postgres "$first"
      if [[ "$KEEP" != 1 ]]; then
        psql "$PG_URL/postgres" -qc "DROP DATABASE $PG_DB" >/dev/null
      fi
      ;;
    *) die "unknown backend '$backend' (sqlite or postgres)" ;;
  esac
done

# --- The report ------------------------------------------------------------------------------------------

REPORT=$(
  cat <<EOF
Load benchmark, $(date -u +%Y-%m-%d), commit ${BENCH_COMMIT:-$(git rev-parse --short HEAD 2>/dev/null || echo '?')}, $(nproc) cores ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n1)), $(wrk -v 2>&1 | head -n1 | cut -d' ' -f1-2).
Release build on 127.0.0.1; \`bench/load.sh\`: \`wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency\` per row (bench/create.lua, bench/read.lua), admin API token, default logging (info).
SQLite with its defaults (WAL, synchronous=FULL) unless the row says otherwise; PostgreSQL $(psql "$PG_URL/postgres" -qAtc 'SHOW server_version' 2>/dev/null || echo '?') with its defaults.

| Backend | Request | Cases in database | Requests/s | p50 | p99 | Unexpected answers | CPU idle before |
|---|---|---|---|---|---|---|---|
$(cat "$RESULTS")

Generating the cases (\`redress generate --cases $CASES\`, batches of 5,000 a transaction):

| Backend | Result |
|---|---|
$(cat "$GENERATED")

Total time: $(($(date +%s) - STARTED)) s.
EOF
)
mkdir -p "$ROOT/target/bench"
SAVED="$ROOT/target/bench/results-$(date -u +%Y%m%dT%H%M%SZ).md"
printf '%s\n' "$REPORT" >"$SAVED"
printf '%s\n' "$REPORT"
log "saved to $SAVED"
