#!/usr/bin/env bash
# Sync benchmarks (figures only; never fails on timing).
#   scripts/bench-sync.sh [ARGS]           a laptop offline for a week (5k own changes)
#                                          syncs against a hub holding 100k changes from
#                                          others, beside a naive whole-document exchange,
#                                          e.g. `--others 20000 --own 1000`
#   scripts/bench-sync.sh --search [ARGS]  search latency on a laptop during its first
#                                          sync, the app's host beside a sync holding the
#                                          registry, e.g. `--search --leads 100000`;
#                                          colleagues' leads plain (written before
#                                          enrolment) unless `--sealed`
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ "${1:-}" == "--search" ]]; then
  shift
  exec cargo run -q --release -p leadguard-hub --example bench_search_during_sync -- "$@"
fi
# Dependencies (automerge, SQLite) are optimised even in the dev profile.
exec cargo run -q -p leadguard-hub --example bench_sync -- "$@"
