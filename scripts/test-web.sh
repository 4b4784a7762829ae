#!/usr/bin/env bash
# Chromium end-to-end test: the built UI (ui/dist) served by the real `leadguard serve`
# over a temp registry, driven in headless Debian Chromium by playwright-core.
# Screenshots of the main screens (zh-CN, en-US) go to $SCREENSHOT_DIR (default
# bench-out/screenshots, ignored by git; `make screenshots` refreshes docs/screenshots/).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/leadguard/target}"

if [[ ! -x /usr/bin/chromium && -z "${CHROMIUM:-}" ]]; then
  echo "test-web: /usr/bin/chromium is missing: run 'make setup' (Debian package chromium)" >&2
  exit 1
fi
bash scripts/ui-build.sh
# Always ask cargo: a no-op when the binary is fresh, a rebuild when the core changed.
cargo build -q -p leadguard-cli -p leadguard-hub
bin="$CARGO_TARGET_DIR/debug/leadguard"
shots="${SCREENSHOT_DIR:-$root/bench-out/screenshots}"
mkdir -p "$shots"

node tests/web/e2e.mjs --bin "$bin" --hub-bin "$CARGO_TARGET_DIR/debug/leadguard-hub" --ui "$root/ui/dist" --shots "$shots"
