#!/usr/bin/env bash
# Listen benchmark, SQLite, release build:
#  1. results (heatmaps, items, alpha, comments, and the trend over the three campaigns) over
#     1,008,000 answers from 20,000 respondents — each slice fetched once on a fresh server, so
#     every figure is computed, never served from the results cache; the first request also
#     reads every answer from the database (target < 200 ms);
#  2. submitting a response (PUT, 36 answers) at 32 connections with wrk (target p99 < 5 ms).
# Needs wrk and jq (apt-get install wrk jq). Loopback only; everything is generated locally.
#   usage: bench/listen.sh [respondents, default 20000] [duration, default 10s]
set -euo pipefail
cd "$(dirname "$0")/.."
RESPONDENTS="${1:-20000}"
DURATION="${2:-10s}"
command -v wrk >/dev/null || { echo "wrk is required: apt-get install wrk" >&2; exit 1; }
command -v jq >/dev/null || { echo "jq is required: apt-get install jq" >&2; exit 1; }
# DUET_SKIP_BUILD=1 DUET_BIN=path: use a binary built elsewhere (e.g. another target directory).
[ "${DUET_SKIP_BUILD:-}" = 1 ] || cargo build --release -q
BIN="${DUET_BIN:-target/release/duet}"
WORK=$(mktemp -d)
DB="$WORK/listen.db"
PORT=18081
trap 'kill $PID 2>/dev/null || true; rm -rf "$WORK"' EXIT
PID=
start=$(date +%s)
DUET_LOG=warn $BIN seed-listen --database-url "$DB" --respondents "$RESPONDENTS" --tokens-out "$WORK/tokens" > "$WORK/seed.out"
grep "answers stored" "$WORK/seed.out"
echo "seeded in $(( $(date +%s) - start )) s"
DUET_LOG=warn $BIN serve --database-url "$DB" --bind 127.0.0.1:$PORT > "$WORK/serve.out" 2>&1 &
PID=$!
until curl -sf http://127.0.0.1:$PORT/healthz >/dev/null; do sleep 0.05; done
TOKEN=$(DUET_LOG=warn $BIN token create --database-url "$DB" --email bench-admin@example.com --name bench)
API=http://127.0.0.1:$PORT/api/v1
auth=(-H "Authorization: Bearer $TOKEN")
CAMPAIGNS=$(curl -s "${auth[@]}" "$API/campaigns?limit=500" | jq 'if type == "array" then . else .items end')
LATEST=$(echo "$CAMPAIGNS" | jq '[.[] | select(.title | startswith("Bench pulse −90"))][0].id')
OPEN=$(echo "$CAMPAIGNS" | jq '[.[] | select(.title == "Bench pulse (open)")][0].id')
DEPTS=$(curl -s "${auth[@]}" "$API/departments?limit=500" | jq -r '(if type == "array" then . else .items end) | .[].id')

echo "results of campaign $LATEST, each slice once (results never cached before; includes the trend over 3 campaigns;"
echo "the first request also reads the three campaigns' answers, later slices reuse them):"
times=()
for d in "" $DEPTS; do
  q=""; [ -n "$d" ] && q="?department=$d"
  t=$(curl -s -o "$WORK/r.json" -w '%{time_total}' "${auth[@]}" "$API/campaigns/$LATEST/results$q")
  n=$(jq '.results.respondents' "$WORK/r.json")
  printf '  %-22s %6.1f ms  (respondents %s)\n' "${d:-organisation}" "$(echo "$t * 1000" | bc -l)" "$n"
  times+=("$t")
done
printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {printf "  median %.1f ms, max %.1f ms over %d slices\n", a[int((NR+1)/2)]*1000, a[NR]*1000, NR}'
t=$(curl -s -o /dev/null -w '%{time_total}' "${auth[@]}" "$API/campaigns/$LATEST/results")
printf '  organisation again (cached): %.2f ms\n' "$(echo "$t * 1000" | bc -l)"

BODY=$(curl -s "${auth[@]}" $API/instruments | jq -c '[.[] | select(.key == "duet-pulse")][0].definition.items | {ratings: (map({key: .code, value: "4"}) | from_entries), texts: {trust: "Promises are kept more often than last quarter."}}')
cat > "$WORK/put.lua" <<LUA
local tokens = {}
for line in io.lines("$WORK/tokens") do tokens[#tokens + 1] = line end
local body = '$BODY'
local i = math.random(#tokens)
request = function()
  i = i % #tokens + 1
  return wrk.format("PUT", "/api/v1/campaigns/$OPEN/response", {["Authorization"] = "Bearer " .. tokens[i], ["Content-Type"] = "application/json"}, body)
end
LUA
echo "submitting responses (PUT /api/v1/campaigns/$OPEN/response, 500 respondents in turn), 32 connections flat out:"
out=$(wrk -t2 -c32 -d"$DURATION" --latency -s "$WORK/put.lua" http://127.0.0.1:$PORT)
echo "$out" | grep -E 'Requests/sec|50%|90%|99%|Non-2xx|Socket errors' | sed 's/^/  /'
# The same 32 connections, each pausing 16 ms between submissions (about 2,000 submissions/s in
# all: a 20,000-person organisation answering within ten seconds), so latency is the service time
# rather than the length of the queue a saturating client builds.
sed 's/^request = function()/function delay() return 16 end\nrequest = function()/' "$WORK/put.lua" > "$WORK/put-paced.lua"
echo "submitting responses, 32 connections at about 2,000 submissions/s:"
out=$(wrk -t2 -c32 -d"$DURATION" --latency -s "$WORK/put-paced.lua" http://127.0.0.1:$PORT)
echo "$out" | grep -E 'Requests/sec|50%|90%|99%|Non-2xx|Socket errors' | sed 's/^/  /'
# First answers (POST): every fresh account answers once, in turn, until all have (each thread
# takes every other token), 32 connections flat out.
cat > "$WORK/post.lua" <<LUA
local tokens = {}
for line in io.lines("$WORK/tokens.fresh") do tokens[#tokens + 1] = line end
local body = '$BODY'
local counter = 0
function setup(thread) thread:set("tid", counter); counter = counter + 1 end
function init(args) nxt = tid + 1 end
request = function()
  local t = tokens[nxt] or tokens[1]
  nxt = nxt + 2
  return wrk.format("POST", "/api/v1/campaigns/$OPEN/response", {["Authorization"] = "Bearer " .. t, ["Content-Type"] = "application/json"}, body)
end
response = function(status, headers, body)
  if nxt > #tokens then wrk.thread:stop() end
end
LUA
# Each token's first use records when it was used (a write, at most once a minute per token):
# use every fresh token once beforehand, as people who signed in earlier would have, so the run
# below times answering, not first sign-ins.
sed -e "s|\"POST\", \"/api/v1/campaigns/$OPEN/response\"|\"GET\", \"/api/v1/me\"|" -e 's|, body)$|)|' "$WORK/post.lua" > "$WORK/warm.lua"
wrk -t2 -c32 -d20s -s "$WORK/warm.lua" http://127.0.0.1:$PORT > /dev/null
echo "first answers (POST /api/v1/campaigns/$OPEN/response, $(wc -l < "$WORK/tokens.fresh") people once each), 32 connections flat out:"
out=$(wrk -t2 -c32 -d30s --latency -s "$WORK/post.lua" http://127.0.0.1:$PORT)
# wrk divides by the full duration even when every thread stopped early: report the answers only.
echo "$out" | grep -E 'requests in|50%|90%|99%|Non-2xx|Socket errors' | sed 's/^/  /'
rss_kb=$(awk '/VmRSS/ {print $2}' /proc/$PID/status)
echo "server RSS after the run: $((rss_kb / 1024)) MB"
