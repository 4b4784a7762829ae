#!/usr/bin/env bash
# Each clone builds into its own target/; compiled *dependencies* are shared between
# clones through a cache, so a fresh clone (or CI) does not compile them again.
#
#   target-cache.sh restore   when target/ is missing, seed it from the cache (a copy,
#                             CoW where the file system can); otherwise do nothing
#   target-cache.sh save      after a successful build: store target/'s dependency
#                             artifacts in the cache, with this workspace's own crates,
#                             test and binary executables and incremental state pruned.
#                             Skipped when the cache already holds this Cargo.lock and
#                             toolchain, or while another clone is saving; given up
#                             (the old cache kept) when the copy fails, e.g. a full disk.
#
# The cache is $LEADGUARD_DEPS_CACHE (default ~/.cache/leadguard/deps-target). A flock
# guards it: restores share the lock, a save takes it alone and swaps the new cache in
# with one rename, so a restore never copies a half-written cache.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

cache="${LEADGUARD_DEPS_CACHE:-$HOME/.cache/leadguard/deps-target}"
lock="$cache.lock"
target="${CARGO_TARGET_DIR:-$root/target}"
mkdir -p "$(dirname "$cache")"

# What makes compiled dependencies reusable: the lock file, the manifests (profiles,
# features) and the compiler.
cache_key() {
  { cat Cargo.lock; git ls-files -z -- 'Cargo.toml' '*/Cargo.toml' | xargs -0 cat; rustc -vV; } |
    sha256sum | cut -d' ' -f1
}

copy_tree() {
  # --reflink=auto: a CoW copy on btrfs/xfs, a plain copy elsewhere.
  cp -a --reflink=auto "$1" "$2"
}

# Removes what belongs to this clone rather than to the dependencies: the workspace
# crates (leadguard*), executables (tests, binaries, examples) and incremental state.
prune() {
  local dir="$1" profile
  # Only the profiles are worth sharing (not e.g. test failure output kept in target/).
  find "$dir" -mindepth 1 -maxdepth 1 ! -name debug ! -name release ! -name CACHEDIR.TAG \
    ! -name .rustc_info.json -exec rm -rf {} +
  for profile in "$dir"/debug "$dir"/release; do
    [[ -d $profile ]] || continue
    rm -rf "$profile"/incremental "$profile"/examples "$profile"/bundle "$profile"/.fingerprint/leadguard* \
           "$profile"/build/leadguard* "$profile"/deps/*leadguard*
    # Top-level binaries and their dep-info files.
    find "$profile" -maxdepth 1 -type f -delete
    # Test executables are the only extension-less files in deps/; their dep-info too.
    [[ -d $profile/deps ]] || continue
    find "$profile"/deps -maxdepth 1 -type f ! -name '*.*' -printf '%f\n' |
      while read -r exe; do rm -f "$profile/deps/$exe" "$profile/deps/$exe.d"; done
  done
}

restore() {
  if [[ -e $target ]]; then
    exit 0
  fi
  if [[ ! -d $cache ]]; then
    echo "target-cache: no dependency cache at $cache yet; this build compiles everything"
    exit 0
  fi
  exec 9>"$lock"
  flock -s 9
  echo "target-cache: seeding $target from $cache"
  local start=$SECONDS
  rm -rf "$target.seeding" # left by an interrupted seeding
  copy_tree "$cache" "$target.seeding"
  rm -f "$target.seeding/.key"
  mv "$target.seeding" "$target"
  echo "target-cache: seeded in $((SECONDS - start)) s"
}

save() {
  [[ -d $target ]] || { echo "target-cache: nothing built in $target" >&2; exit 1; }
  local key
  key="$(cache_key)"
  if [[ -f $cache/.key && "$(cat "$cache/.key")" == "$key" ]]; then
    exit 0
  fi
  exec 9>"$lock"
  if ! flock -n 9; then
    echo "target-cache: another clone is using the cache; not saving"
    exit 0
  fi
  echo "target-cache: saving dependency artifacts to $cache"
  local start=$SECONDS
  rm -rf "$cache.new" "$cache.old"
  # A cache that cannot be written (a full disk) costs the next clone a longer build,
  # never this build its result: give up the save, keep the old cache.
  local err
  if ! err="$(copy_tree "$target" "$cache.new" 2>&1)"; then
    rm -rf "$cache.new"
    echo "target-cache: not saving, the copy failed: ${err##*$'\n'}" >&2
    exit 0
  fi
  prune "$cache.new"
  echo "$key" >"$cache.new/.key"
  [[ -d $cache ]] && mv "$cache" "$cache.old"
  mv "$cache.new" "$cache"
  rm -rf "$cache.old"
  echo "target-cache: saved in $((SECONDS - start)) s ($(du -sh "$cache" | cut -f1))"
}

case "${1:-}" in
  restore) restore ;;
  save) save ;;
  *) echo "usage: $0 restore|save" >&2; exit 2 ;;
esac
