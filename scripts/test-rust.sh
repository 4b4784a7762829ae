#!/usr/bin/env bash
# Every Rust test, then the hub's end-to-end suite again on PostgreSQL. One throwaway
# PostgreSQL server serves both runs (scripts/pg-throwaway.sh: the tests that always
# need it use it, the second run puts every hub on it); if it cannot start, this fails.
set -euo pipefail
cd "$(dirname "$0")/.."
exec bash scripts/pg-throwaway.sh run --fast -- bash -c '
  status=0
  cargo nextest run --workspace --no-fail-fast || status=1
  echo "test-rust: the hub suite on PostgreSQL" >&2
  LEADGUARD_TEST_HUB_BACKEND=postgres cargo nextest run -p leadguard-tests --no-fail-fast \
    -E "binary(/^hub_/) | binary(=sync_progress)" || status=1
  exit $status
'
