#!/usr/bin/env bash
# UI unit tests (vitest + jsdom): transport, i18n, formatting, components. Also type-checks.
set -euo pipefail
cd "$(dirname "$0")/../ui"
source ../scripts/lib-ui.sh
ensure_node_modules
echo "== UI type check (tsc) =="
npx --no-install tsc -p .
echo "== UI unit tests (vitest) =="
npx --no-install vitest run --reporter=verbose
