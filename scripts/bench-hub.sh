#!/usr/bin/env bash
# Hub load benchmark: 100, 500 and 1,000 simulated laptops syncing at once (burst)
# against one and two hub processes over one database, then 500 and 1,000 syncing at
# random times within 10 s (spread), SQLite and PostgreSQL side by side (a throwaway
# PostgreSQL server, fsync on, started for the run by scripts/pg-throwaway.sh).
# Prints figures (latency, throughput, CPU of clients/hubs/database, the writer's busy
# time); never fails on timing.
# Extra args go to the harness, e.g. the 500-laptop burst rows alone:
#   scripts/bench-hub.sh --devices 500 --hubs 1 --spread-devices ""
# or `--backends postgres`, `--spread-secs 30`, `--spread-devices 500`, `--flows push-page,separate`
# (the push answering with the first pull page, the default, beside push then pull),
# `--clients wire,async,blocking` (the laptops as async tasks writing their requests
# on their own connections, the default, beside async tasks sharing a reqwest client
# per hub and one blocking thread each).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib-cargo.sh
# Release builds: the figures are for a hub as deployed; paths as cargo reports them.
hub_bin=$(cargo_exe --release -p leadguard-hub --bin leadguard-hub)
harness=$(cargo_exe --release -p leadguard-hub --example bench_hub)
# Hundreds of simulated laptops each hold a connection.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
exec bash scripts/pg-throwaway.sh run -- bash -c '"$0" --hub-bin "$1" --postgres "$LEADGUARD_TEST_POSTGRES" "${@:2}"' "$harness" "$hub_bin" "$@"
