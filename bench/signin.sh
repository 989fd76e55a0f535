#!/usr/bin/env bash
# Monday 9:00: 200 people sign in at the same moment. Starts `duet demo` (release build, fresh
# SQLite file), then fires 200 simultaneous correct sign-ins and reports the idle RSS, the peak
# RSS while they run, the RSS a few seconds after, and how long the burst took. Target: peak
# under 100 MB, and back to about idle afterwards. Loopback only; bounded (201 requests).
#   usage: bench/signin.sh [concurrency, default 200]   (needs curl and xargs)
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-200}"
# DUET_BIN=target/debug/duet measures a debug build instead (same allocation behaviour).
BIN="${DUET_BIN:-target/release/duet}"
[ -n "${DUET_BIN:-}" ] || cargo build --release -q
WORK=$(mktemp -d)
PORT=18081
trap 'kill $PID $SAMPLER 2>/dev/null || true; rm -rf "$WORK"' EXIT

DUET_LOG=warn $BIN demo --database-url "$WORK/bench.db" --bind 127.0.0.1:$PORT > "$WORK/out" 2>&1 &
PID=$!
until curl -sf http://127.0.0.1:$PORT/healthz >/dev/null; do sleep 0.05; done
sleep 2
rss() { awk '/VmRSS/ {print $2}' /proc/$PID/status; }
idle=$(rss)
# One sign-in first: the hashing buffers (one per core) are allocated on first use.
curl -s -o /dev/null -d 'email=admin@harborvale.example&password=duet-demo-2026' http://127.0.0.1:$PORT/login
after_one=$(rss)

( peak=0; while kill -0 $PID 2>/dev/null; do r=$(rss); [ "$r" -gt "$peak" ] && peak=$r && echo $peak > "$WORK/peak"; sleep 0.02; done ) &
SAMPLER=$!

sign_in() {
  curl -s -o /dev/null -w '%{http_code}\n' -d "email=$1&password=$2" http://127.0.0.1:$PORT/login
}
export -f sign_in; export PORT
start=$(date +%s%N)
{
  seq "$N" | xargs -P "$N" -I{} bash -c 'sign_in admin@harborvale.example duet-demo-2026'
} > "$WORK/codes"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
sleep 3
settled=$(rss)
kill $SAMPLER 2>/dev/null || true
peak=$(cat "$WORK/peak" 2>/dev/null || echo 0)
echo "concurrent sign-ins: $N in ${ms} ms; status codes: $(sort "$WORK/codes" | uniq -c | tr '\n' ' ')"
echo "RSS idle $((idle / 1024)) MB · after one sign-in $((after_one / 1024)) MB · peak during the burst $((peak / 1024)) MB · 3 s after $((settled / 1024)) MB"
