#!/usr/bin/env bash
# make bench-collisions: the cost of finding collision cases while merging a
# colleague's registry, beside a rebuild from scratch. Prints figures only.
# LEADS (default 20000) sets the size of the colleague's registry.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/leadguard/target}"
cargo build -q --release -p leadguard-core --example bench_collisions
"$CARGO_TARGET_DIR/release/examples/bench_collisions" --leads "${LEADS:-20000}"
