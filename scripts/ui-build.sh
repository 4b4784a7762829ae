#!/usr/bin/env bash
# Builds the web UI into ui/dist (the Tauri shell compiles it in; `leadguard serve`
# serves it). Idempotent: installs npm packages only when node_modules is missing or
# older than package.json/package-lock.json, and rebuilds only when a UI source changed.
set -euo pipefail
cd "$(dirname "$0")/../ui"

# shellcheck source=scripts/lib-ui.sh
source ../scripts/lib-ui.sh
ensure_node_modules

if [[ "${FORCE_UI_BUILD:-0}" != 1 && -f dist/index.html ]] &&
   [[ -z "$(find src public index.html vite.config.ts tsconfig.json package.json package-lock.json \
            -newer dist/index.html -print -quit 2>/dev/null)" ]]; then
  echo "ui-build: ui/dist is up to date"
  exit 0
fi
echo "ui-build: building ui/dist"
npm run --silent build
