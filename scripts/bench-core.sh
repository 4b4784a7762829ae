#!/usr/bin/env bash
# make bench-core: registry figures (prints, asserts nothing).
#
# For each shard size (leads per Automerge document): time to register N leads, the
# database size, time to open the registry, list/search a page, load one lead's
# document, build the duplicate index and run a check, and the cost of a single
# `lead add` (its own fsync'd transaction). With OPEN_1M=1 it also builds 1M leads
# and measures opening that registry.
#
# Environment: LEADS (default 100000), SHARDS (default 500,2000,10000), OPEN_1M
# (default 1), SHARD_1M (default 2000), BENCH_DIR (scratch space, default /tmp).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib-cargo.sh
source scripts/lib-cargo.sh
LEADS="${LEADS:-100000}"
SHARDS="${SHARDS:-500,2000,10000}"
OPEN_1M="${OPEN_1M:-1}"
SHARD_1M="${SHARD_1M:-2000}"
bench="$(cargo_exe --release -p leadguard-core --example bench_core)"
args=(--leads "$LEADS" --shards "$SHARDS" --shard-1m "$SHARD_1M")
[ "$OPEN_1M" = 1 ] && args+=(--open-1m)
echo "leadguard registry benchmark — $(nproc) cores, $(date -u +%FT%TZ)"
"$bench" "${args[@]}"
