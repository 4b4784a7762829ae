#!/usr/bin/env bash
# `make run`: the desktop app on a demo registry, with a local hub on loopback.
#   1. a demo registry in .leadguard-demo/device (seeded on first run by `leadguard demo`);
#   2. a hub in .leadguard-demo/hub on 127.0.0.1:$LEADGUARD_HUB_PORT (default 47878; a
#      fixed port because the device remembers its hub's URL), the device enrolled once;
#   3. the desktop app (debug build) with LEADGUARD_DATA pointing at the registry.
# The hub stops when the window closes. Without a display it says so and suggests
# `make run-web` or `xvfb-run make run`.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
# shellcheck source=scripts/lib-cargo.sh
source scripts/lib-cargo.sh
demo="${LEADGUARD_DEMO_DIR:-$root/.leadguard-demo}"
data="$demo/device"
hub_data="$demo/hub"
port="${LEADGUARD_HUB_PORT:-47878}"
hub_url="http://127.0.0.1:$port"
rep="${LEADGUARD_DEMO_AS:-lina}"

if [[ -z "${DISPLAY:-}" && -z "${WAYLAND_DISPLAY:-}" ]]; then
  cat <<MSG
make run: there is no display here (neither DISPLAY nor WAYLAND_DISPLAY is set), so the
desktop window cannot open. Instead:
  make run-web                                        # the same UI in your browser, on loopback
  xvfb-run -a -s "-screen 0 1280x800x24" make run     # the window on a virtual display
MSG
  exit 2
fi

echo "run: building leadguard, leadguard-hub and the desktop app"
leadguard="$(cargo_bin leadguard)"
hub="$(cargo_bin leadguard-hub)"
app="$(cargo_bin leadguard-app)"

mkdir -p "$demo"
"$leadguard" --data "$data" demo --as "$rep" >/dev/null
echo "run: demo registry in $data (signed in as $rep)"

hub_pid=""
stop_hub() { [[ -n "$hub_pid" ]] && kill "$hub_pid" 2>/dev/null && wait "$hub_pid" 2>/dev/null; true; }
trap stop_hub EXIT
"$hub" --data "$hub_data" serve --listen "127.0.0.1:$port" >"$demo/hub.log" 2>&1 &
hub_pid=$!
hub_up=0
for _ in $(seq 50); do
  if curl -fsS -o /dev/null "$hub_url/" 2>/dev/null || grep -q "http://" "$demo/hub.log"; then hub_up=1; break; fi
  kill -0 "$hub_pid" 2>/dev/null || break
  sleep 0.1
done
if ((hub_up)); then
  echo "run: hub on $hub_url (log: $demo/hub.log)"
  if [[ ! -f "$demo/enrolled" ]]; then
    token="$("$hub" --data "$hub_data" enroll --rep "$rep" --name "$rep" \
              --branch huanan --role rep 2>/dev/null)"
    if "$leadguard" --data "$data" enroll --hub "$hub_url" --token "$token" >/dev/null; then
      touch "$demo/enrolled"
      echo "run: device enrolled with the hub"
    else
      echo "run: enrolment failed; the app works offline (see the 同步 screen)"
    fi
  fi
else
  echo "run: the hub did not start (port $port busy? set LEADGUARD_HUB_PORT); the app works offline"
  hub_pid=""
fi

echo "run: opening the desktop app (close the window to stop)"
LEADGUARD_DATA="$data" "$app"
