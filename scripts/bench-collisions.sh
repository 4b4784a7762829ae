#!/usr/bin/env bash
# make bench-collisions: the cost of finding collision cases while merging a
# colleague's registry, beside a rebuild from scratch. Prints figures only.
# LEADS (default 20000) sets the size of the colleague's registry.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib-cargo.sh
source scripts/lib-cargo.sh
"$(cargo_exe --release -p leadguard-core --example bench_collisions)" --leads "${LEADS:-20000}"
