#!/usr/bin/env bash
# make bench-import: a generated ROWS-row team list (.xlsx) imported into a registry
# that already holds LEADS leads, with the dedup report, beside the Python peer
# (pandas + openpyxl) reading the same workbook in the same run. Prints figures,
# asserts nothing. Goal: ≤ 30 s end to end (import_file + import_report).
#
# The seeded registry is kept in bench-out/import/registry-LEADS (seeding is slow and
# not what is measured); each run imports into a fresh copy of it.
# The peer is installed into a venv under $HOME/.cache/leadguard/venv (not committed).
# Environment: ROWS (default 100000), LEADS (default 100000).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib-cargo.sh
source scripts/lib-cargo.sh
ROWS="${ROWS:-100000}"
LEADS="${LEADS:-100000}"
OUT=bench-out/import
VENV="$HOME/.cache/leadguard/venv"
mkdir -p "$OUT"

echo "== building (release)" >&2
BIN="$(cargo_exe --release -p leadguard-core --example bench_import)"

echo "leadguard import benchmark — $(nproc) cores, $(date -u +%FT%TZ)"
echo "== leadguard"
"$BIN" --rows "$ROWS" --leads "$LEADS" --dir "$OUT" | tee "$OUT/ours.txt"

echo "== Python peer (venv $VENV)"
if [[ ! -x "$VENV/bin/python" ]] || ! "$VENV/bin/python" -c 'import pandas, openpyxl' 2>/dev/null; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check pandas openpyxl
fi
"$VENV/bin/python" -W ignore bench/import/peer.py "$OUT/team-list-$ROWS.xlsx" | tee "$OUT/peer.txt"
