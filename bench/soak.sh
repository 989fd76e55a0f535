#!/usr/bin/env bash
# The soak (issue 17): `duet demo` (optionally on PostgreSQL) under a mixed read/write load at 80 %
# of its measured maximum for a long run (default 10 minutes), with 0 errors and flat memory.
#  1. maximum: wrk -t2 -c32 for 20 s flat out with the mix below;
#  2. the rate is held at 80 % of it by a schedule: each wrk thread hands out request slots at
#     its share of the target rate (its connections wait for the next slot; a thread more than
#     a second behind forgets the backlog rather than bursting), so the rate does not drift as
#     the data grows or latency changes;
#  3. the soak itself, the server's RSS sampled every 10 s.
# The mix, per connection: 9 reads in 10 (home, the promise ledger, the request list, the audit
# log, trust, through the API) and 1 write in 10 (a new request or a promise, in turn).
# Prints the rates, latency, every non-2xx answer and socket error (any fails the run), and the
# RSS at the start, the middle, the end and its maximum. Needs wrk and jq.
#   usage: bench/soak.sh [--postgres URL-of-an-empty-database] [--duration 600s]
#   DUET_SKIP_BUILD=1 DUET_BIN=path reuses a binary built elsewhere; DUET_BENCH_PORT (18084).
set -euo pipefail
cd "$(dirname "$0")/.."
PG=""
DURATION=600s
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
PORT="${DUET_BENCH_PORT:-18084}"
BASE=http://127.0.0.1:$PORT
PID=
SAMPLER=
trap 'kill $PID $SAMPLER 2>/dev/null || true; rm -rf "$WORK"' EXIT
if [ -n "$PG" ]; then DB="$PG"; else DB="$WORK/soak.db"; fi

if curl -sf "$BASE/healthz" >/dev/null 2>&1; then
  echo "port $PORT is already serving; stop that server or set DUET_BENCH_PORT" >&2
  exit 1
fi
DUET_LOG=warn $BIN demo --database-url "$DB" --bind 127.0.0.1:$PORT > "$WORK/out" 2>&1 &
PID=$!
until curl -sf $BASE/healthz >/dev/null; do
  kill -0 $PID 2>/dev/null || { cat "$WORK/out" >&2; exit 1; }
  sleep 0.2
done
rss() { echo $(( $(awk '/VmRSS/ {print $2}' /proc/$PID/status) / 1024 )); }
echo "demo on $([ -n "$PG" ] && echo PostgreSQL || echo SQLite); idle RSS $(rss) MB"

TOKEN=$(DUET_LOG=warn $BIN token create --database-url "$DB" --email admin@harborvale.example --name soak 2>/dev/null)
api() { curl -sf -H "Authorization: Bearer $TOKEN" "$BASE/api/v1$1" | jq 'if type == "array" then . else .items end'; }
DEPTS=$(api /departments | jq -r '[.[] | select(.kind == "business" and .archived_at == null) | .id] | join(",")')
IT=$(api /departments | jq -r '[.[] | select(.kind == "it")][0].id')
PROMISORS=$(api "/people?limit=200" | jq -r --argjson it "$IT" '[.[] | select(.department_id == $it and .archived_at == null) | .id] | join(",")')
DUE=$(date -u -d '+30 days' +%F)

mix() { # $1: milliseconds between a thread's requests (0: flat out)
  cat <<LUA
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } duet_timespec;
int clock_gettime(int clock, duet_timespec *ts);
]]
local ts = ffi.new("duet_timespec")
local function now_ms()
  ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC
  return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end
local interval = $1
local due = nil
local counter = 0
function setup(thread) thread:set("tid", counter); counter = counter + 1 end
local n = 0
local headers = {["Authorization"] = "Bearer $TOKEN", ["Content-Type"] = "application/json"}
local depts = {$DEPTS}
local promisors = {$PROMISORS}
local reads = {"/api/v1/home", "/api/v1/promises?limit=20", "/api/v1/requests?limit=20", "/api/v1/audit", "/api/v1/trust"}
function delay()
  if interval == 0 then return 0 end
  local t = now_ms()
  if due == nil or due < t - 1000 then due = t end
  due = due + interval
  if due <= t then return 0 end
  return math.floor(due - t)
end
request = function()
  n = n + 1
  if n % 10 == 0 then
    if (n / 10) % 2 == 0 then
      local body = string.format('{"title":"Soak request %d-%d","problem":"The weekly export is copied by hand and takes an hour.","affected":"The clerks who close the month","desired_outcome":"The export arrives by itself every Monday.","department_id":%d,"urgency":"normal"}', tid, n, depts[(n + tid) % #depts + 1])
      return wrk.format("POST", "/api/v1/requests", headers, body)
    end
    local body = string.format('{"promisor_id":%d,"promisee_department_id":%d,"text":"Soak promise %d-%d: the export runs by itself","due_on":"$DUE"}', promisors[(n + tid) % #promisors + 1], depts[(n * 7 + tid) % #depts + 1], tid, n)
    return wrk.format("POST", "/api/v1/promises", headers, body)
  end
  return wrk.format("GET", reads[n % #reads + 1], headers)
end
LUA
}
run() { # duration, delay; prints "rps p50 p99 non-2xx socket-errors"
  mix "$2" > "$WORK/mix.lua"
  local out
  out=$(wrk -t2 -c32 -d"$1" --latency -s "$WORK/mix.lua" $BASE 2>&1)
  echo "$out" > "$WORK/last.txt"
  local rps p50 p99 bad sock
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p50=$(echo "$out" | awk '$1=="50%" {print $2}')
  p99=$(echo "$out" | awk '$1=="99%" {print $2}')
  bad=$(echo "$out" | awk '/Non-2xx/ {print $5}')
  sock=$(echo "$out" | awk '/Socket errors/ {gsub(",", ""); print $4 + $6 + $8 + $10}')
  echo "$rps $p50 $p99 ${bad:-0} ${sock:-0}"
}

read -r MAX MP50 MP99 MBAD MSOCK < <(run 20s 0)
TARGET=$(awk -v m="$MAX" 'BEGIN {printf "%.0f", m * 0.8}')
echo "maximum: $MAX req/s (p50 $MP50, p99 $MP99; non-2xx $MBAD, socket errors $MSOCK); target $TARGET req/s"
# Two threads, each handing out a slot every INTERVAL ms: together the target rate.
INTERVAL=$(awk -v t="$TARGET" 'BEGIN {printf "%.4f", 2 * 1000 / t}')
echo "holding $TARGET req/s: each of wrk's 2 threads sends a request every $INTERVAL ms"

START_RSS=$(rss)
( while kill -0 $PID 2>/dev/null; do echo "$(date +%s) $(rss)"; sleep 10; done ) > "$WORK/rss" &
SAMPLER=$!
read -r RPS P50 P99 BAD SOCK < <(run "$DURATION" "$INTERVAL")
kill $SAMPLER 2>/dev/null || true
END_RSS=$(rss)
MAX_RSS=$(awk 'BEGIN {m = 0} $2 > m {m = $2} END {print m}' "$WORK/rss")
MID_RSS=$(awk '{a[NR] = $2} END {print a[int((NR + 1) / 2)]}' "$WORK/rss")
echo
echo "| soak ($DURATION, 32 connections) | req/s | share of maximum | p50 | p99 | non-2xx | socket errors |"
echo "|---|---|---|---|---|---|---|"
echo "| mixed 90 % reads / 10 % writes | $RPS | $(awk -v r="$RPS" -v m="$MAX" 'BEGIN {printf "%.2f", r / m}') | $P50 | $P99 | $BAD | $SOCK |"
echo
echo "RSS: start $START_RSS MB, middle $MID_RSS MB, end $END_RSS MB, maximum $MAX_RSS MB ($(wc -l < "$WORK/rss") samples)"
if [ "$BAD" != 0 ] || [ "$SOCK" != 0 ]; then
  echo "FAILED: $BAD non-2xx answers and $SOCK socket errors" >&2
  cat "$WORK/last.txt" >&2
  exit 1
fi
