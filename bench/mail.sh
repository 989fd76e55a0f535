#!/usr/bin/env bash
# Issue 13: queueing an edition for 20,000 recipients (each with a one-time unsubscribe link) must
# take under 2 s. Runs against a fresh SQLite file, and against PostgreSQL with `--postgres URL`.
#   bench/mail.sh [--postgres postgres://postgres@127.0.0.1:5432/bench_mail] [--recipients N]
set -euo pipefail
cd "$(dirname "$0")/.."
RECIPIENTS=20000
PG=""
while [ $# -gt 0 ]; do
  case "$1" in
    --postgres) PG="$2"; shift 2 ;;
    --recipients) RECIPIENTS="$2"; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
if [ -z "${DUET_SKIP_BUILD:-}" ]; then cargo build --release -q -p duet; fi
BIN="${DUET_BIN:-target/release/duet}"
DB=$(mktemp -d)/mail.db
"$BIN" migrate --database-url "$DB" >/dev/null
for run in 1 2 3; do "$BIN" queue-mail --database-url "$DB" --recipients "$RECIPIENTS"; done
if [ -n "$PG" ]; then
  "$BIN" migrate --database-url "$PG" >/dev/null
  for run in 1 2 3; do "$BIN" queue-mail --database-url "$PG" --recipients "$RECIPIENTS"; done
fi
