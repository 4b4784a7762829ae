#!/usr/bin/env bash
# The web UI in a browser, on loopback, with the real core behind it: for machines
# without a display (or anyone who prefers a browser). Prints the URL to open.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
# shellcheck source=scripts/lib-cargo.sh
source scripts/lib-cargo.sh
data="${LEADGUARD_DATA:-$root/leadguard-data}"
listen="${LEADGUARD_LISTEN:-127.0.0.1:0}"

bash scripts/ui-build.sh
bin="$(cargo_bin leadguard)"

# A demo registry on first run (`demo` leaves an existing registry alone).
"$bin" --data "$data" demo --as "${LEADGUARD_DEMO_AS:-lina}" >/dev/null
echo "run-web: data in $data; open the URL below in a browser (Ctrl-C stops the server)."
exec "$bin" --data "$data" serve --listen "$listen" --ui "$root/ui/dist"
