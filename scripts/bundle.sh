#!/usr/bin/env bash
# `make bundle`: release build of the desktop app packaged as .deb and .rpm
# (`tauri build --bundles deb,rpm`; AppImage is not built: its tooling downloads at
# build time). Prints the path of the .deb. On Windows/macOS run
# `npx --prefix ui tauri build` there for .msi/.exe or .dmg/.app (see README).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
# shellcheck source=scripts/lib-cargo.sh
source scripts/lib-cargo.sh
tauri="$root/ui/node_modules/.bin/tauri"
if [[ ! -x "$tauri" ]]; then
  echo "bundle: the tauri CLI is missing; run \`make ui-build\` (it installs ui/'s npm packages)" >&2
  exit 1
fi
start=$(date +%s)
"$tauri" build --bundles deb,rpm
target="$(cargo_target_dir)"
deb="$(ls -t "$target"/release/bundle/deb/*.deb | head -1)"
rpm="$(ls -t "$target"/release/bundle/rpm/*.rpm 2>/dev/null | head -1 || true)"
echo "bundle: built in $(( $(date +%s) - start )) s"
echo "bundle: rpm $rpm"
echo "bundle: deb $deb ($(du -h "$deb" | cut -f1))"
echo "$deb"
