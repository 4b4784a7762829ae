#!/usr/bin/env bash
# Hub load benchmark: 100, 500 and 1,000 simulated laptops syncing at once against one
# and two hub processes over one database. Prints figures; never fails on timing.
# Extra args go to the harness, e.g. `scripts/bench-hub.sh --devices 200 --hubs 1`.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/leadguard/target}"
# Release build: the figures are for a hub as deployed. Ask cargo where it put the
# binary instead of guessing a path.
hub_bin=$(cargo build -q --release -p leadguard-hub --bin leadguard-hub --message-format=json \
  | python3 -c 'import json,sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m.get("executable") and m["target"]["name"] == "leadguard-hub":
        print(m["executable"])')
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
exec cargo run -q --release -p leadguard-hub --example bench_hub -- --hub-bin "$hub_bin" "$@"
