#!/usr/bin/env bash
# See's performance target (issue 14): the relationships overview for 50 departments (1,225
# department pairs) with two years of history and more — `duet demo --scale large` (50
# departments, five years of requests, promises, reviews and surveys) — under 1 s cold and
# 100 ms warm, and every relationships page and API read at a quarter of /healthz's req/s or
# more (wrk, 2 threads x 32 connections). "Cold" is the first read after the per-process cache
# expired (it holds at most two seconds), timed by curl; "warm" is wrk's median latency.
# Needs wrk and jq (apt-get install wrk jq).
#   usage: bench/relationships.sh [--postgres URL-of-an-empty-database] [--duration 5s]
#   DUET_SKIP_BUILD=1 DUET_BIN=path reuses a binary built elsewhere.
set -euo pipefail
cd "$(dirname "$0")/.."
PG=""
DURATION=5s
while [ $# -gt 0 ]; do
  case "$1" in
    --postgres) PG="$2"; shift 2 ;;
    --duration) DURATION="$2"; shift 2 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
command -v wrk >/dev/null || { echo "wrk is required: apt-get install wrk" >&2; exit 1; }
command -v jq >/dev/null || { echo "jq is required: apt-get install jq" >&2; exit 1; }
[ "${DUET_SKIP_BUILD:-}" = 1 ] || cargo build --release -q -p duet
BIN="${DUET_BIN:-target/release/duet}"
WORK=$(mktemp -d)
PORT="${DUET_BENCH_PORT:-18083}"
BASE=http://127.0.0.1:$PORT
PID=
trap 'kill $PID 2>/dev/null || true; rm -rf "$WORK"' EXIT
if [ -n "$PG" ]; then DB="$PG"; else DB="$WORK/see.db"; fi
start=$(date +%s)
DUET_LOG=warn $BIN demo --scale large --database-url "$DB" --bind 127.0.0.1:$PORT > "$WORK/out" 2>&1 &
PID=$!
until curl -sf $BASE/healthz >/dev/null; do
  kill -0 $PID 2>/dev/null || { cat "$WORK/out" >&2; exit 1; }
  sleep 0.2
done
echo "demo (large) on $([ -n "$PG" ] && echo PostgreSQL || echo SQLite) serving after $(( $(date +%s) - start )) s"
ADMIN=admin@harborvale.example
TOKEN=$(DUET_LOG=warn $BIN token create --database-url "$DB" --email $ADMIN --name see 2>/dev/null)
curl -s -c "$WORK/jar" -o /dev/null -d "email=$ADMIN&password=duet-demo-2026" $BASE/login
COOKIE=$(awk '/duet_session/ {print $7}' "$WORK/jar")
O=$(curl -sf -H "Authorization: Bearer $TOKEN" "$BASE/api/v1/relationships")
M=$(curl -sf -H "Authorization: Bearer $TOKEN" "$BASE/api/v1/relationships/map")
echo "departments: $(( $(echo "$O" | jq '.pairs | length') + 1 )) ($(echo "$M" | jq '.edges | length') connected pairs on the map, $(echo "$O" | jq '[.pairs[].signals | length] | add') signals with 12-month trends)"
DEPT=$(echo "$O" | jq -r '.pairs[0].department_id')
cold() {
  sleep 2.5
  curl -s -o /dev/null -w "%{time_total}" -H "$1" "$BASE$2"
}
printf "%-36s %9s\n" "cold read (cache expired)" "seconds"
for p in /api/v1/relationships "/api/v1/relationships/$DEPT"; do
  printf "%-36s %9s\n" "$p" "$(cold "Authorization: Bearer $TOKEN" "$p")"
done
printf "%-36s %9s\n" "/relationships (page)" "$(cold "Cookie: duet_session=$COOKIE" /relationships)"
rps() { wrk -t2 -c32 -d"$DURATION" --latency "$@" 2>/dev/null; }
H=$(rps "$BASE/healthz" | awk '/Requests\/sec/ {print $2}')
printf "\n%-40s %10s %8s %8s %6s\n" path "req/s" p50 p99 share
printf "%-40s %10s\n" /healthz "$H"
for p in /relationships "/relationships/$DEPT" /relationships/map /relationships/thresholds /relationships/services /relationships/report "/relationships/report?pairs=all"; do
  out=$(rps -H "Cookie: duet_session=$COOKIE" "$BASE$p")
  r=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  printf "%-40s %10s %8s %8s %6.2f\n" "$p" "$r" "$(echo "$out" | awk '$1=="50%" {print $2}')" "$(echo "$out" | awk '$1=="99%" {print $2}')" "$(echo "$r / $H" | bc -l)"
done
for p in /api/v1/relationships "/api/v1/relationships/$DEPT" /api/v1/relationships/map /api/v1/relationships/thresholds /api/v1/relationships/services; do
  out=$(rps -H "Authorization: Bearer $TOKEN" "$BASE$p")
  r=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  printf "%-40s %10s %8s %8s %6.2f\n" "$p" "$r" "$(echo "$out" | awk '$1=="50%" {print $2}')" "$(echo "$out" | awk '$1=="99%" {print $2}')" "$(echo "$r / $H" | bc -l)"
done
