#!/usr/bin/env bash
# Load benchmark for the foundation issue: `duet demo` on SQLite, wrk at 32 connections.
# Reports requests/s and p99 for /healthz, GET /api/v1/people?limit=50, the people page and the
# home page ("what needs you", page and API, as the CIO, who has the most lists), the idle
# RSS, and the time from start to serving. Needs wrk (apt-get install wrk). Loopback only; bounded.
#   usage: bench/load.sh [duration, default 10s]
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION="${1:-10s}"
command -v wrk >/dev/null || { echo "wrk is required: apt-get install wrk" >&2; exit 1; }
[ -n "${DUET_SKIP_BUILD:-}" ] || cargo build --release -q
BIN=target/release/duet
WORK=$(mktemp -d)
DB="$WORK/bench.db"
PORT=18080
trap 'kill $PID 2>/dev/null || true; rm -rf "$WORK"' EXIT

start=$(date +%s%N)
DUET_LOG=warn $BIN demo --database-url "$DB" --bind 127.0.0.1:$PORT > "$WORK/out" 2>&1 &
PID=$!
until curl -sf http://127.0.0.1:$PORT/healthz >/dev/null; do sleep 0.01; done
ready_ms=$(( ($(date +%s%N) - start) / 1000000 ))
sleep 2
rss_kb=$(awk '/VmRSS/ {print $2}' /proc/$PID/status)

TOKEN=$(DUET_LOG=warn $BIN token create --database-url "$DB" --email admin@harborvale.example --name bench)
curl -s -c "$WORK/jar" -o /dev/null -d 'email=admin@harborvale.example&password=duet-demo-2026' http://127.0.0.1:$PORT/login
COOKIE=$(awk '/duet_session/ {print $7}' "$WORK/jar")
# Show the flash once so page views afterwards are pure reads.
curl -s -o /dev/null -H "Cookie: duet_session=$COOKIE" http://127.0.0.1:$PORT/

run() {
  local name=$1; shift
  local out
  out=$(wrk -t2 -c32 -d"$DURATION" --latency "$@")
  local rps p99
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p99=$(echo "$out" | awk '$1=="99%" {print $2}')
  printf '%-34s %12s req/s   p99 %s\n' "$name" "$rps" "$p99"
  echo "$out" | grep -E 'Non-2xx|Socket errors' || true
}

echo "duet demo ready in ${ready_ms} ms (start to first /healthz); idle RSS $((rss_kb / 1024)) MB"
run "GET /healthz" http://127.0.0.1:$PORT/healthz
run "GET /api/v1/people?limit=50" -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/api/v1/people?limit=50"
run "GET /people (page)" -H "Cookie: duet_session=$COOKIE" http://127.0.0.1:$PORT/people
# The home page as the CIO, who has the most lists (IT's queues, reviews, promises, surveys).
CIO=priya.raman@harborvale.example
CIO_TOKEN=$(DUET_LOG=warn $BIN token create --database-url "$DB" --email $CIO --name bench)
curl -s -c "$WORK/jar2" -o /dev/null -d "email=$CIO&password=duet-demo-2026" http://127.0.0.1:$PORT/login
CIO_COOKIE=$(awk '/duet_session/ {print $7}' "$WORK/jar2")
curl -s -o /dev/null -H "Cookie: duet_session=$CIO_COOKIE" http://127.0.0.1:$PORT/
run "GET /api/v1/home (CIO)" -H "Authorization: Bearer $CIO_TOKEN" http://127.0.0.1:$PORT/api/v1/home
run "GET / (home page, CIO)" -H "Cookie: duet_session=$CIO_COOKIE" http://127.0.0.1:$PORT/
rss_kb=$(awk '/VmRSS/ {print $2}' /proc/$PID/status)
echo "RSS after load: $((rss_kb / 1024)) MB"
