#!/usr/bin/env bash
# Import benchmark for the Meet-and-promise issue: 1,000,000 metric values from CSV into SQLite
# (target < 10 s, with a progress bar). Generates the file locally; nothing is downloaded.
#   usage: bench/metrics_import.sh [rows, default 1000000]
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS="${1:-1000000}"
cargo build --release -q
BIN=target/release/duet
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
DB="$WORK/metrics.db"
DUET_LOG=warn $BIN init --database-url "$DB" >/dev/null
for i in $(seq 1 100); do DUET_LOG=warn $BIN metric create --database-url "$DB" --name "Metric $i" --unit "%" --direction higher_better --target 95 >/dev/null; done
awk -v rows="$ROWS" 'BEGIN {
  split("IT,Accounting,Business Development,Customer Service,Finance,Human Resources,Marketing,Operations,Sales", d, ",");
  print "metric,period,department,value"; n = 0;
  for (m = 1; m <= 100 && n < rows; m++) for (k = 1; k <= 9 && n < rows; k++) for (p = 0; p < 1200 && n < rows; p++) {
    printf "Metric %d,%04d-%02d,%s,%.2f\n", m, 2000 + int(p / 12), p % 12 + 1, d[k], 80 + (m * 7 + k * 3 + p) % 20; n++ } }' > "$WORK/values.csv"
echo "generated $(($(wc -l < "$WORK/values.csv") - 1)) rows ($(du -h "$WORK/values.csv" | cut -f1))"
/usr/bin/time -f "import: %e s wall, %M KB max RSS" env DUET_LOG=warn $BIN import metrics --database-url "$DB" "$WORK/values.csv"
