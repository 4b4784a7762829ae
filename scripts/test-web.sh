#!/usr/bin/env bash
# Chromium end-to-end test: the built UI (ui/dist) served by the real `leadguard serve`
# over a temp registry, driven in headless Debian Chromium by playwright-core.
# Screenshots of the main screens (zh-CN, en-US) go to $SCREENSHOT_DIR (default
# bench-out/screenshots, ignored by git; `make screenshots` refreshes docs/screenshots/).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
# shellcheck source=scripts/lib-cargo.sh
source scripts/lib-cargo.sh

if [[ ! -x /usr/bin/chromium && -z "${CHROMIUM:-}" ]]; then
  echo "test-web: /usr/bin/chromium is missing: run 'make setup' (Debian package chromium)" >&2
  exit 1
fi
bash scripts/ui-build.sh
# Always ask cargo: a no-op when the binary is fresh, a rebuild when the core changed.
bin="$(cargo_bin leadguard)"
hub_bin="$(cargo_bin leadguard-hub)"
shots="${SCREENSHOT_DIR:-$root/bench-out/screenshots}"
mkdir -p "$shots"

node tests/web/e2e.mjs --bin "$bin" --hub-bin "$hub_bin" --ui "$root/ui/dist" --shots "$shots"
