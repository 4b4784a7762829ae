#!/usr/bin/env bash
# Browser benchmark of the registry search: keystroke → results shown, p50/p90/p99, in
# headless Chromium against the real `leadguard serve` on a large demo registry.
# Prints figures; never fails on a time. The registry (BENCH_LEADS leads, default
# 100000) is seeded once with `leadguard demo` and kept in BENCH_UI_DATA.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
# shellcheck source=scripts/lib-cargo.sh
source scripts/lib-cargo.sh
leads="${BENCH_LEADS:-100000}"
data="${BENCH_UI_DATA:-$HOME/.cache/leadguard/bench-ui-$leads}"

bash scripts/ui-build.sh
# Release: the figure is what a user's installed app does, not a debug build.
bin="$(cargo_exe --release -p leadguard-cli --bin leadguard)"
if [[ ! -e "$data/registry.sqlite" ]]; then
  echo "bench-ui: seeding $leads demo leads in $data (once; minutes at 100k)"
  "$bin" --data "$data" --json demo --leads "$leads" --as lina
fi
count="$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT COUNT(*) FROM lead_index").fetchone()[0])' "$data/registry.sqlite")"
node tests/web/bench-search.mjs --leads "$count" --bin "$bin" --ui "$root/ui/dist" --data "$data" --queries "${BENCH_QUERIES:-30}"
