#!/usr/bin/env bash
# Sync benchmark: a laptop offline for a week (5k own changes) syncs against a hub
# holding 100k changes from others, over loopback, beside a naive whole-document
# exchange. Prints figures; never fails on timing. Extra args go to the harness,
# e.g. `scripts/bench-sync.sh --others 20000 --own 1000`.
set -euo pipefail
cd "$(dirname "$0")/.."
# Dependencies (automerge, SQLite) are optimised even in the dev profile.
exec cargo run -q -p leadguard-hub --example bench_sync -- "$@"
