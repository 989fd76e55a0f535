#!/usr/bin/env bash
# Every main page and API read path against /healthz in the same run (issue 11): `duet demo`
# (optionally `--scale large`, optionally on PostgreSQL), signed in as the admin (pages by session
# cookie, API by token), wrk 2 threads x 32 connections per path. Prints one row per path: req/s,
# p50, p99, the share of /healthz's req/s (measured before and after the paths; the mean is the
# reference) and the time of one request before wrk (the cold read), and marks the rows below the
# bar (0.25 on SQLite, 0.15 on PostgreSQL).
# Needs wrk and jq (apt-get install wrk jq). Loopback only; bounded; the database is temporary.
#   usage: bench/paths.sh [--scale large] [--postgres URL-of-an-empty-database] [--duration 5s]
#   DUET_SKIP_BUILD=1 DUET_BIN=path reuses a binary built elsewhere.
set -euo pipefail
cd "$(dirname "$0")/.."
SCALE=""
PG=""
DURATION=5s
while [ $# -gt 0 ]; do
  case "$1" in
    --scale) SCALE="$2"; shift 2 ;;
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
PORT="${DUET_BENCH_PORT:-18082}"
BASE=http://127.0.0.1:$PORT
PID=
trap 'kill $PID 2>/dev/null || true; rm -rf "$WORK"' EXIT
if [ -n "$PG" ]; then DB="$PG"; BAR=0.15; else DB="$WORK/paths.db"; BAR=0.25; fi
SCALE_ARGS=()
[ -n "$SCALE" ] && SCALE_ARGS=(--scale "$SCALE")

if curl -sf "$BASE/healthz" >/dev/null 2>&1; then
  echo "port $PORT is already serving; stop that server or set DUET_BENCH_PORT" >&2
  exit 1
fi
start=$(date +%s)
DUET_LOG=warn $BIN demo "${SCALE_ARGS[@]}" --database-url "$DB" --bind 127.0.0.1:$PORT > "$WORK/out" 2>&1 &
PID=$!
until curl -sf $BASE/healthz >/dev/null; do
  kill -0 $PID 2>/dev/null || { cat "$WORK/out" >&2; exit 1; }
  sleep 0.2
done
echo "demo${SCALE:+ ($SCALE)} on $([ -n "$PG" ] && echo PostgreSQL || echo SQLite) serving after $(( $(date +%s) - start )) s; idle RSS $(( $(awk '/VmRSS/ {print $2}' /proc/$PID/status) / 1024 )) MB"

ADMIN=admin@harborvale.example
TOKEN=$(DUET_LOG=warn $BIN token create --database-url "$DB" --email $ADMIN --name paths 2>/dev/null) || {
  echo "could not create a token for $ADMIN" >&2; exit 1; }
curl -s -c "$WORK/jar" -o /dev/null -d "email=$ADMIN&password=duet-demo-2026" $BASE/login
COOKIE=$(awk '/duet_session/ {print $7}' "$WORK/jar")
curl -s -o /dev/null -H "Cookie: duet_session=$COOKIE" $BASE/
api() { curl -sf -H "Authorization: Bearer $TOKEN" "$BASE/api/v1$1" | jq 'if type == "array" then . else .items end'; }

# Ids for the detail paths: the newest request, a review, a closed campaign, a department.
REQ=$(api "/requests?limit=1" | jq -r '.[0].id')
REVIEW=$(api "/reviews?limit=1" | jq -r '.[0].id')
CAMPAIGN=$(api "/campaigns" | jq -r '[.[] | select(.sealed_at != null or (.closes_on < (now | strftime("%Y-%m-%d"))))][0].id')
DEPT=$(api "/departments" | jq -r '.[0].id')
BIZ=$(api "/departments" | jq -r '[.[] | select(.kind == "business")][0].id')
POST=$(api "/comms/posts?limit=1" | jq -r '.[0].id')
EDITION=$(api "/comms/editions" | jq -r '[.[] | select(.status == "scheduled")][0].id')
CYCLE=$(api "/rotation/cycles" | jq -r '[.[] | select(.phase == "finished")][0].id')
OPEN_CYCLE=$(api "/rotation/cycles" | jq -r '[.[] | select(.phase == "open")][0].id')
SW=$(curl -sf -H "Authorization: Bearer $TOKEN" "$BASE/api/v1/software" | jq -r '.entries[0].id')
PLACEMENT=$(curl -sf -H "Authorization: Bearer $TOKEN" "$BASE/api/v1/rotation/cycles/$CYCLE" | jq -r '.placements[0].id')

declare -a ROWS
measure() { # name, then wrk arguments; prints "rps p50 p99"
  local out
  out=$(wrk -t2 -c32 -d"$DURATION" --latency "$@" 2>&1)
  local rps p50 p99 bad
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p50=$(echo "$out" | awk '$1=="50%" {print $2}')
  p99=$(echo "$out" | awk '$1=="99%" {print $2}')
  bad=$(echo "$out" | awk '/Non-2xx/ {print $5}')
  echo "$rps $p50 $p99 ${bad:-0}"
}
read -r H1 _ _ _ < <(measure $BASE/healthz)

# One request before wrk: its time ("first") is the cold read behind the path's cache, paid once
# per write; wrk's p50 and p99 are then the steady state.
first() { curl -s -o /dev/null -w '%{time_total}' "$@" | awk '{printf "%.1fms", $1 * 1000}'; }
page() {
  local h="Cookie: duet_session=$COOKIE" f
  f=$(first -H "$h" "$BASE$1")
  ROWS+=("page|$1|$(measure -H "$h" "$BASE$1") $f")
}
call() {
  local h="Authorization: Bearer $TOKEN" f
  f=$(first -H "$h" "$BASE/api/v1$1")
  ROWS+=("api|/api/v1$1|$(measure -H "$h" "$BASE/api/v1$1") $f")
}

for p in / /departments "/departments/$DEPT" /people /requests "/requests/$REQ" /requests/teams /portfolio \
  /promises /trust /reviews "/reviews/$REVIEW/agenda" /measures /coverage /listen \
  "/listen/campaigns/$CAMPAIGN/results" /voice/inbox /notifications /audit /comms "/comms/posts/$POST" \
  /comms/feed.atom /comms/editions "/comms/editions/$EDITION" "/comms/editions/$EDITION?as=$DEPT" \
  /account/email /relationships "/relationships/$BIZ" /rotation "/rotation/$OPEN_CYCLE" \
  "/rotation/$OPEN_CYCLE/match" "/rotation/$CYCLE/outcomes" "/rotation/placements/$PLACEMENT" \
  /software "/software?department=$BIZ" "/software/$SW" /software/advisories /admin/sso /audit/export.csv; do
  page "$p"
done
for a in /home /departments "/people?limit=50" "/requests?limit=25" "/requests?limit=50" "/requests/$REQ" /portfolio \
  /promises /trust /reviews /reviews/dashboard /coverage /metrics /outcomes /goals /teams/stats \
  /campaigns "/campaigns/$CAMPAIGN/results" /voice/inbox /notifications /audit /comms/posts \
  "/comms/posts/$POST" /comms/editions "/comms/editions/$EDITION" /mail/preferences /relationships \
  "/relationships/$BIZ" /rotation/cycles "/rotation/cycles/$OPEN_CYCLE" "/rotation/cycles/$OPEN_CYCLE/proposal" \
  "/rotation/cycles/$CYCLE/outcomes" "/rotation/placements/$PLACEMENT" /software "/software/$SW" /sso /audit/export; do
  call "$a"
done
read -r H2 _ _ _ < <(measure $BASE/healthz)
HZ=$(echo "$H1 $H2" | awk '{printf "%.0f", ($1 + $2) / 2}')

echo
echo "/healthz: $H1 req/s before, $H2 after, reference $HZ; bar ${BAR} of it; wrk -t2 -c32 -d$DURATION"
echo
printf '| %-4s | %-46s | %9s | %8s | %8s | %5s | %8s | %s\n' kind path "req/s" p50 p99 share first ""
printf '|------|------------------------------------------------|-----------|----------|----------|-------|----------|---\n'
below=0
for row in "${ROWS[@]}"; do
  IFS='|' read -r kind path figures <<< "$row"
  read -r rps p50 p99 bad cold <<< "$figures"
  share=$(awk -v r="$rps" -v h="$HZ" 'BEGIN {printf "%.2f", r / h}')
  mark=""
  if awk -v s="$share" -v b="$BAR" 'BEGIN {exit !(s < b)}'; then mark="below"; below=$((below + 1)); fi
  [ "$bad" != 0 ] && mark="$mark non-2xx:$bad"
  printf '| %-4s | %-46s | %9s | %8s | %8s | %5s | %8s | %s\n' "$kind" "$path" "$rps" "$p50" "$p99" "$share" "$cold" "$mark"
done
echo
echo "$below of ${#ROWS[@]} paths below ${BAR}; RSS after the run $(( $(awk '/VmRSS/ {print $2}' /proc/$PID/status) / 1024 )) MB"
