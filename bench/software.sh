#!/usr/bin/env bash
# Issue 16's benchmark: import the full KEV catalogue (1,500 entries) and 200,000 OSV records,
# then match 5,000 register entries — target under 5 s in all. A fresh SQLite database (or
# --postgres URL of an empty database), 5,000 entries seeded first (not timed); the two imports
# are timed as a person runs them (`duet import kev`, `duet import osv`: read, write, match).
#   usage: bench/software.sh [--postgres URL]
#   DUET_SKIP_BUILD=1 DUET_BIN=path reuses a binary built elsewhere.
set -euo pipefail
cd "$(dirname "$0")/.."
PG=""
while [ $# -gt 0 ]; do
  case "$1" in
    --postgres) PG="$2"; shift 2 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
[ "${DUET_SKIP_BUILD:-}" = 1 ] || cargo build --release -q -p duet
BIN="${DUET_BIN:-target/release/duet}"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
DB="${PG:-sqlite://$WORK/software.db}"
DUET_LOG=warn $BIN migrate --database-url "$DB" >/dev/null
echo "seeding 5,000 register entries and writing the advisory files…"
DUET_LOG=warn $BIN seed-software --database-url "$DB" --entries 5000 --advisories-out "$WORK" | tail -1
ls -la "$WORK"/kev.csv "$WORK"/osv.jsonl | awk '{print $5, $9}'
start=$(date +%s.%N)
DUET_LOG=warn $BIN import kev --database-url "$DB" "$WORK/kev.csv"
mid=$(date +%s.%N)
DUET_LOG=warn $BIN import osv --database-url "$DB" "$WORK/osv.jsonl"
end=$(date +%s.%N)
awk -v s="$start" -v m="$mid" -v e="$end" 'BEGIN {printf "KEV %.2f s, OSV %.2f s, in all %.2f s (target < 5 s)\n", m - s, e - m, e - s}'
