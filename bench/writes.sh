#!/usr/bin/env bash
# The three everyday writes (issue 11, must-have 4: each >= 2,000/s on SQLite at 32 connections,
# p99 < 20 ms), against /healthz in the same run: `duet demo` (optionally on PostgreSQL), the
# admin's API token, wrk 2 threads x 32 connections per path, flat out:
#  1. creating a request      POST /api/v1/requests            (a new title each time)
#  2. recording a promise     POST /api/v1/promises            (IT people to business departments)
#  3. saving a review record  PUT  /api/v1/reviews/{id}/record (the unlocked records, in turn)
# Prints one row per path: req/s, p50, p99, marked when below 2,000/s or p99 >= 20 ms; then
# /healthz's req/s before and after, and the server's RSS. Any non-2xx answer fails the run.
# Needs wrk and jq (apt-get install wrk jq). Loopback only; bounded; the database is temporary.
#   usage: bench/writes.sh [--postgres URL-of-an-empty-database] [--duration 5s]
#   DUET_SKIP_BUILD=1 DUET_BIN=path reuses a binary built elsewhere; DUET_BENCH_PORT (18083).
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
if [ -n "$PG" ]; then DB="$PG"; else DB="$WORK/writes.db"; fi
TARGET_RPS=2000
TARGET_P99_MS=20

if curl -sf "$BASE/healthz" >/dev/null 2>&1; then
  echo "port $PORT is already serving; stop that server or set DUET_BENCH_PORT" >&2
  exit 1
fi
start=$(date +%s)
DUET_LOG=warn $BIN demo --database-url "$DB" --bind 127.0.0.1:$PORT > "$WORK/out" 2>&1 &
PID=$!
until curl -sf $BASE/healthz >/dev/null; do
  kill -0 $PID 2>/dev/null || { cat "$WORK/out" >&2; exit 1; }
  sleep 0.2
done
echo "demo on $([ -n "$PG" ] && echo PostgreSQL || echo SQLite) serving after $(( $(date +%s) - start )) s; idle RSS $(( $(awk '/VmRSS/ {print $2}' /proc/$PID/status) / 1024 )) MB"

ADMIN=admin@harborvale.example
TOKEN=$(DUET_LOG=warn $BIN token create --database-url "$DB" --email $ADMIN --name writes 2>/dev/null) || {
  echo "could not create a token for $ADMIN" >&2; exit 1; }
api() { curl -sf -H "Authorization: Bearer $TOKEN" "$BASE/api/v1$1" | jq 'if type == "array" then . else .items end'; }

# The ids the bodies name: business departments (requests and promisees), IT people (promisors),
# and the reviews whose record is not locked (a locked record answers 409).
DEPTS=$(api /departments | jq -r '[.[] | select(.kind == "business" and .archived_at == null) | .id] | join(",")')
IT=$(api /departments | jq -r '[.[] | select(.kind == "it")][0].id')
PROMISORS=$(api "/people?limit=200" | jq -r --argjson it "$IT" '[.[] | select(.department_id == $it and .archived_at == null) | .id] | join(",")')
REVIEWS=""
for r in $(api "/reviews?limit=200" | jq -r '.[].id'); do
  locked=$(curl -sf -H "Authorization: Bearer $TOKEN" "$BASE/api/v1/reviews/$r/record" | jq -r '.record.locked_at')
  [ "$locked" = null ] && REVIEWS="$REVIEWS${REVIEWS:+,}$r"
  [ "$(echo "$REVIEWS" | tr ',' '\n' | grep -c .)" -ge 32 ] && break
done
for v in DEPTS PROMISORS REVIEWS; do
  [ -n "${!v}" ] || { echo "the demo has no ids for $v" >&2; exit 1; }
done
DUE=$(date -u -d '+30 days' +%F)

# One script per path. Every thread numbers its requests (tid-n), so titles and notes differ.
common() {
  cat <<LUA
local counter = 0
function setup(thread) thread:set("tid", counter); counter = counter + 1 end
local n = 0
local headers = {["Authorization"] = "Bearer $TOKEN", ["Content-Type"] = "application/json"}
local depts = {$DEPTS}
local promisors = {$PROMISORS}
local reviews = {$REVIEWS}
LUA
}
{ common; cat <<'LUA'
request = function()
  n = n + 1
  local body = string.format('{"title":"Bench request %d-%d","problem":"The weekly export is copied by hand and takes an hour.","affected":"The clerks who close the month","desired_outcome":"The export arrives by itself every Monday.","department_id":%d,"urgency":"normal"}',
    tid, n, depts[(n + tid) % #depts + 1])
  return wrk.format("POST", "/api/v1/requests", headers, body)
end
LUA
} > "$WORK/request.lua"
{ common; cat <<LUA
request = function()
  n = n + 1
  local body = string.format('{"promisor_id":%d,"promisee_department_id":%d,"text":"Bench promise %d-%d: the export runs by itself","due_on":"$DUE"}',
    promisors[(n + tid) % #promisors + 1], depts[(n * 7 + tid) % #depts + 1], tid, n)
  return wrk.format("POST", "/api/v1/promises", headers, body)
end
LUA
} > "$WORK/promise.lua"
{ common; cat <<'LUA'
request = function()
  n = n + 1
  local id = reviews[(n * 2 + tid) % #reviews + 1]
  local body = string.format('{"agenda":"1. What went well\\n2. What did not\\n3. Open promises","attendees":"Both leaders, the relationship manager","notes":"Draft %d-%d: the export is late again; IT promised a fix by the next review.","metric_feedback":"Add the export delay to the pack."}',
    tid, n)
  return wrk.format("PUT", "/api/v1/reviews/" .. id .. "/record", headers, body)
end
LUA
} > "$WORK/record.lua"

# Each write once by curl, with the bodies' shape, so a wrong body fails here with the server's words.
probe() { # method, path, body
  local code
  code=$(curl -s -o "$WORK/probe.out" -w '%{http_code}' -X "$1" -H "Authorization: Bearer $TOKEN" \
    -H 'Content-Type: application/json' -d "$3" "$BASE$2")
  case "$code" in 2*) ;; *) echo "$1 $2 answered $code: $(head -c 500 "$WORK/probe.out")" >&2; exit 1 ;; esac
}
D1=${DEPTS%%,*}; P1=${PROMISORS%%,*}; R1=${REVIEWS%%,*}
probe POST /api/v1/requests "{\"title\":\"Bench request probe\",\"problem\":\"The weekly export is copied by hand.\",\"affected\":\"Clerks\",\"desired_outcome\":\"The export arrives by itself.\",\"department_id\":$D1,\"urgency\":\"normal\"}"
probe POST /api/v1/promises "{\"promisor_id\":$P1,\"promisee_department_id\":$D1,\"text\":\"Bench promise probe\",\"due_on\":\"$DUE\"}"
probe PUT "/api/v1/reviews/$R1/record" '{"agenda":"1. Probe","attendees":"Both leaders","notes":"Probe","metric_feedback":""}'
echo "ids: departments $DEPTS; promisors $(echo "$PROMISORS" | tr ',' '\n' | grep -c .) IT people; $(echo "$REVIEWS" | tr ',' '\n' | grep -c .) unlocked review records"

measure() { # wrk arguments; prints "rps p50 p99 non-2xx socket-errors"
  local out
  out=$(wrk -t2 -c32 -d"$DURATION" --latency "$@" 2>&1)
  local rps p50 p99 bad sock
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p50=$(echo "$out" | awk '$1=="50%" {print $2}')
  p99=$(echo "$out" | awk '$1=="99%" {print $2}')
  bad=$(echo "$out" | awk '/Non-2xx/ {print $5}')
  sock=$(echo "$out" | awk '/Socket errors/ {gsub(",", ""); print $4 + $6 + $8 + $10}')
  echo "$rps $p50 $p99 ${bad:-0} ${sock:-0}"
}
ms() { # a wrk latency (850.00us, 12.34ms, 1.02s) in milliseconds
  echo "$1" | awk '/us$/ {print $1 / 1000; next} /ms$/ {print $1 + 0; next} /s$/ {print $1 * 1000; next} {print $1}'
}

declare -a ROWS
read -r H1 _ _ _ _ < <(measure $BASE/healthz)
ROWS+=("create a request|POST /api/v1/requests|$(measure -s "$WORK/request.lua" $BASE)")
ROWS+=("record a promise|POST /api/v1/promises|$(measure -s "$WORK/promise.lua" $BASE)")
ROWS+=("save a review record|PUT /api/v1/reviews/{id}/record|$(measure -s "$WORK/record.lua" $BASE)")
read -r H2 _ _ _ _ < <(measure $BASE/healthz)

echo
echo "wrk -t2 -c32 -d$DURATION per path; target >= $TARGET_RPS req/s and p99 < $TARGET_P99_MS ms"
echo
printf '| %-20s | %-32s | %9s | %8s | %8s | %s\n' write path "req/s" p50 p99 ""
printf '|----------------------|----------------------------------|-----------|----------|----------|---\n'
below=0
failed=0
for row in "${ROWS[@]}"; do
  IFS='|' read -r name path figures <<< "$row"
  read -r rps p50 p99 bad sock <<< "$figures"
  mark=""
  if awk -v r="$rps" -v t="$TARGET_RPS" 'BEGIN {exit !(r < t)}'; then mark="below $TARGET_RPS/s"; fi
  if awk -v p="$(ms "$p99")" -v t="$TARGET_P99_MS" 'BEGIN {exit !(p >= t)}'; then mark="${mark:+$mark, }p99 >= $TARGET_P99_MS ms"; fi
  [ -n "$mark" ] && below=$((below + 1))
  [ "$bad" != 0 ] && { mark="$mark NON-2XX: $bad"; failed=1; }
  [ "$sock" != 0 ] && { mark="$mark socket errors: $sock"; failed=1; }
  printf '| %-20s | %-32s | %9s | %8s | %8s | %s\n' "$name" "$path" "$rps" "$p50" "$p99" "$mark"
done
echo
echo "/healthz: $H1 req/s before, $H2 after (same server, same wrk settings)"
echo "$below of ${#ROWS[@]} writes miss the target; RSS after the run $(( $(awk '/VmRSS/ {print $2}' /proc/$PID/status) / 1024 )) MB"
if [ "$failed" = 1 ]; then
  echo "FAILED: some writes were not answered 2xx (or the connection failed); the figures above do not count" >&2
  exit 1
fi
