#!/usr/bin/env bash
# Load benchmark for the Decide issue: the portfolio page (first page) with 10,000 portfolio items
# stored, wrk at 32 connections on SQLite. Also runs `cargo bench -p duet-core` (IRR and ranking).
#   usage: bench/portfolio.sh [items, default 10000] [duration, default 10s]
set -euo pipefail
cd "$(dirname "$0")/.."
ITEMS="${1:-10000}"
DURATION="${2:-10s}"
command -v wrk >/dev/null || { echo "wrk is required: apt-get install wrk" >&2; exit 1; }
cargo bench -q -p duet-core 2>/dev/null | grep -E 'IRR|rank'
cargo build --release -q
BIN=target/release/duet
WORK=$(mktemp -d)
DB="$WORK/portfolio.db"
PORT=18090
trap 'kill $PID 2>/dev/null || true; rm -rf "$WORK"' EXIT
start=$(date +%s)
DUET_LOG=warn $BIN seed-portfolio --database-url "$DB" --items "$ITEMS" 2>/dev/null
echo "seeded $ITEMS portfolio items in $(( $(date +%s) - start )) s"
echo 'bench password 2026' | DUET_LOG=warn $BIN user create --database-url "$DB" --email bench.viewer@example.com --name Viewer --role it_leader --password-stdin >/dev/null
DUET_LOG=warn $BIN serve --database-url "$DB" --bind 127.0.0.1:$PORT >/dev/null 2>&1 &
PID=$!
until curl -sf http://127.0.0.1:$PORT/healthz >/dev/null; do sleep 0.05; done
curl -s -c "$WORK/jar" -o /dev/null -d 'email=bench.viewer@example.com&password=bench password 2026' http://127.0.0.1:$PORT/login
COOKIE=$(awk '/duet_session/ {print $7}' "$WORK/jar")
first=$(curl -s -o /dev/null -w '%{time_total}' -H "Cookie: duet_session=$COOKIE" http://127.0.0.1:$PORT/portfolio)
echo "first (uncached) portfolio page: ${first}s"
out=$(wrk -t2 -c32 -d"$DURATION" --latency -H "Cookie: duet_session=$COOKIE" http://127.0.0.1:$PORT/portfolio)
echo "$out" | grep -E 'Requests/sec|50%|99%|Non-2xx' || true
