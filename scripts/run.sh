#!/usr/bin/env bash
# `make run`: the desktop app as one person of the demo branch 华南, with a local hub.
#   1. the demo story (`leadguard demo`) seeded once in .leadguard-demo/story;
#   2. a hub in .leadguard-demo/hub on 127.0.0.1:$LEADGUARD_HUB_PORT (default 47878; a
#      fixed port because devices remember their hub's URL), which adopts the story
#      once as the branch's past (`leadguard history export` → `leadguard-hub adopt`);
#   3. the person's own laptop in .leadguard-demo/<person> ($LEADGUARD_DEMO_AS: lina by
#      default, zhangwei the manager, wangqiang, chenjing): a registry of its own,
#      enrolled as that person and synced, so everything it writes syncs for real;
#   4. the desktop app (debug build) on that laptop's registry.
# Run it again with another LEADGUARD_DEMO_AS (in a second terminal) for a second
# laptop on the same hub. The hub stops when the window that started it closes.
# Without a hub (port busy) the app opens the story registry offline, where the
# user menu switches between people. Without a display it says so and suggests
# `make run-web` or `xvfb-run make run`.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
# shellcheck source=scripts/lib-cargo.sh
source scripts/lib-cargo.sh
demo="${LEADGUARD_DEMO_DIR:-$root/.leadguard-demo}"
story="$demo/story"
hub_data="$demo/hub"
port="${LEADGUARD_HUB_PORT:-47878}"
hub_url="http://127.0.0.1:$port"
person="${LEADGUARD_DEMO_AS:-lina}"
case "$person" in
  lina) name="李娜" role=rep ;;
  zhangwei) name="张伟" role=manager ;;
  wangqiang) name="王强" role=rep ;;
  chenjing) name="陈静" role=rep ;;
  *) echo "make run: LEADGUARD_DEMO_AS must be lina, zhangwei, wangqiang or chenjing" >&2; exit 2 ;;
esac

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
"$leadguard" --data "$story" demo --as "$person" >/dev/null
echo "run: demo story in $story"

hub_up() { curl -fsS -o /dev/null "$hub_url/healthz" 2>/dev/null; }
hub_pid=""
stop_hub() { [[ -n "$hub_pid" ]] && kill "$hub_pid" 2>/dev/null && wait "$hub_pid" 2>/dev/null; true; }
trap stop_hub EXIT
if hub_up; then
  echo "run: a hub already answers on $hub_url (another make run's): using it"
else
  "$hub" --data "$hub_data" serve --listen "127.0.0.1:$port" >"$demo/hub.log" 2>&1 &
  hub_pid=$!
  for _ in $(seq 100); do
    hub_up && break
    kill -0 "$hub_pid" 2>/dev/null || { hub_pid=""; break; }
    sleep 0.1
  done
fi

data="$story"
if hub_up; then
  echo "run: hub on $hub_url (log: $demo/hub.log)"
  if [[ ! -f "$demo/adopted" ]]; then
    "$leadguard" --data "$story" history export --output "$demo/story.lghist" >/dev/null
    "$hub" --data "$hub_data" adopt --branch huanan --input "$demo/story.lghist"
    touch "$demo/adopted"
  fi
  laptop="$demo/$person"
  if [[ ! -f "$laptop/enrolled" ]]; then
    rm -rf "$laptop"
    "$leadguard" --data "$laptop" init --rep "$person" --name "$name" --branch huanan --role "$role" >/dev/null
    token="$("$hub" --data "$hub_data" enroll --rep "$person" --name "$name" --branch huanan --role "$role" 2>/dev/null)"
    "$leadguard" --data "$laptop" enroll --hub "$hub_url" --token "$token" >/dev/null
    touch "$laptop/enrolled"
    echo "run: $name's laptop enrolled with the hub"
  fi
  if "$leadguard" --data "$laptop" --json sync >/dev/null; then
    echo "run: $name's laptop synced with the hub"
  else
    echo "run: the sync failed; see the 同步 screen"
  fi
  data="$laptop"
else
  echo "run: the hub did not start (port $port busy? set LEADGUARD_HUB_PORT); opening the story offline"
  hub_pid=""
fi

echo "run: opening the desktop app as $name (close the window to stop)"
LEADGUARD_DATA="$data" "$app"
