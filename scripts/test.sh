#!/usr/bin/env bash
# Runs every test of Wright: builds the solution (and the web app) and runs all test projects,
# the browser tests of the workbench among them, then the web app's Vitest unit tests.
#
# PostgreSQL: the storage suite runs against SQLite and against a real PostgreSQL server. When
# WRIGHT_TEST_POSTGRES (a postgres:// URL of a role that may CREATE DATABASE) is not set and
# Debian's postgresql server binaries are installed, this script starts a private throw-away
# cluster on a free loopback port and stops it at exit. Without either, the PostgreSQL tests
# are reported as skipped with the reason.
set -euo pipefail
cd "$(dirname "$0")/.."

PG_DIR=""
PG_BIN=""
run_as_pg() {
  if [ "$(id -u)" = "0" ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
cleanup() {
  if [ -n "$PG_DIR" ]; then
    run_as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$PG_DIR"
  fi
}
trap cleanup EXIT

if [ -z "${WRIGHT_TEST_POSTGRES:-}" ]; then
  PG_BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
  if [ -n "$PG_BIN" ] && [ -x "$PG_BIN/initdb" ]; then
    PG_DIR="$(mktemp -d /tmp/wright-pg.XXXXXX)"
    chmod 755 "$PG_DIR"
    if [ "$(id -u)" = "0" ]; then chown postgres "$PG_DIR"; fi
    run_as_pg "$PG_BIN/initdb" -D "$PG_DIR/data" -A trust -U wright --no-sync -E UTF8 >/dev/null
    started=""
    for _ in 1 2 3 4 5 6 7 8; do
      PG_PORT=$((20000 + RANDOM % 30000))
      if run_as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w -t 30 \
           -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c max_connections=200" start >/dev/null; then
        started=1; break
      fi
    done
    if [ -z "$started" ]; then echo "could not start the test PostgreSQL server:"; cat "$PG_DIR/log"; exit 1; fi
    export WRIGHT_TEST_POSTGRES="postgres://wright@127.0.0.1:$PG_PORT/postgres"
    echo "PostgreSQL test server: 127.0.0.1:$PG_PORT ($("$PG_BIN/postgres" --version))"
  else
    echo "PostgreSQL server binaries not found: the PostgreSQL storage tests will be skipped (apt-get install postgresql)."
  fi
fi

# The real Claude Code CLI for the agent monitor's end-to-end tests (into .tools/, once).
./scripts/install-test-tools.sh

RESULTS="$(mktemp -d /tmp/wright-results.XXXXXX)"
status=0
dotnet test Wright.slnx -c Release --logger "trx" --results-directory "$RESULTS" "$@" || status=$?

# The web app's unit tests (Vitest); the build above ran `npm ci` in web/ when it was needed.
web_passed=0; web_failed=0
if [ -f web/package.json ]; then
  (cd web && npx vitest run --reporter=default --reporter=json --outputFile="$RESULTS/vitest.json") || status=$?
  if [ -f "$RESULTS/vitest.json" ]; then
    read -r web_passed web_failed < <(node -e 'const r=require(process.argv[1]); console.log(r.numPassedTests, r.numFailedTests)' "$RESULTS/vitest.json")
  else
    web_failed=1
  fi
fi

# One closing line for every runner that reads them: the totals of all TRX files.
passed=0; failed=0; skipped=0
for trx in "$RESULTS"/*.trx; do
  [ -e "$trx" ] || continue
  counters="$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)"
  p=$(echo "$counters" | sed -n 's/.* passed="\([0-9]*\)".*/\1/p'); passed=$((passed + ${p:-0}))
  f=$(echo "$counters" | sed -n 's/.* failed="\([0-9]*\)".*/\1/p'); failed=$((failed + ${f:-0}))
  n=$(echo "$counters" | sed -n 's/.* notExecuted="\([0-9]*\)".*/\1/p'); skipped=$((skipped + ${n:-0}))
done
passed=$((passed + web_passed)); failed=$((failed + web_failed))
rm -rf "$RESULTS"
echo "$passed passed, $failed failed, $skipped skipped"
if [ "$passed" = "0" ] && [ "$status" = "0" ]; then echo "no test ran"; exit 1; fi
exit $status
