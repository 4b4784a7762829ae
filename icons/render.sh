#!/usr/bin/env bash
# Regenerates every icon in this folder from logo.svg (run from anywhere):
#   1. headless Chromium renders the SVG to a 1024×1024 transparent PNG (this
#      machine's ImageMagick has no SVG delegate; Chromium's renderer is exact);
#   2. `tauri icon` derives the desktop set (PNG sizes, .ico, .icns);
#   3. the mobile folders it also writes are dropped: Leadguard ships desktop only.
# Needs the tauri CLI (`npm install` in ui/ provides it) and the Debian `chromium`.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
tauri="${TAURI_CLI:-$root/ui/node_modules/.bin/tauri}"
profile="$(mktemp -d)"
trap 'rm -rf "$profile"' EXIT
chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
  --disable-component-update --disable-sync --no-first-run --user-data-dir="$profile" \
  --hide-scrollbars --default-background-color=00000000 --window-size=1024,1024 \
  --screenshot="$here/logo-1024.png" "file://$here/logo.svg" >/dev/null 2>&1
"$tauri" icon "$here/logo-1024.png" -o "$here"
rm -rf "$here/android" "$here/ios"
echo "icons regenerated in $here"
