#!/usr/bin/env bash
# The tauri-driver smoke test (`make test-tauri`): builds the desktop app (debug),
# starts tauri-driver under Xvfb in its own process group, drives the real window
# with WebDriver (tests/tauri/smoke.py, Python stdlib only) and kills the whole
# group afterwards — WebKitWebDriver allows one session at a time, so a leftover
# driver would block the next run. Screenshots go to $SCREENSHOT_DIR (default
# bench-out/screenshots, ignored by git; `make screenshots` refreshes docs/screenshots/).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
# shellcheck source=scripts/lib-cargo.sh
source scripts/lib-cargo.sh
export PATH="$HOME/.cargo/bin:$PATH"

echo "== test-tauri: building the desktop app (debug)"
app="$(cargo_bin leadguard-app)"

tmp="$(mktemp -d)"
driver_pid=""
cleanup() {
  if [[ -n "$driver_pid" ]]; then
    kill -TERM -- "-$driver_pid" 2>/dev/null || true
    sleep 0.5
    kill -KILL -- "-$driver_pid" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
# smoke.py's exit status for the known WebKitWebDriver drop (its DRIVER_DROPPED_EXIT).
DRIVER_DROPPED=75

# One attempt: fresh ports, registry, webview storage and driver. WebKitWebDriver has been
# seen to drop its connection right after the session starts (root cause not found);
# smoke.py exits 75 for that failure alone, and only such a run is retried (at most 5
# attempts, a few seconds apart, each printed). Any other failure fails at once.
attempt() {
  local n="$1"
  if [[ -n "$driver_pid" ]]; then
    kill -TERM -- "-$driver_pid" 2>/dev/null || true
    sleep 0.5
    kill -KILL -- "-$driver_pid" 2>/dev/null || true
    driver_pid=""
  fi
  local dir="$tmp/attempt-$n"
  mkdir -p "$dir"
  local port native_port
  read -r port native_port < <(python3 -c '
import socket
socks = [socket.socket() for _ in range(2)]
for s in socks: s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in socks])')

  # A fresh registry and fresh webview storage: the test must not depend on earlier runs.
  export LEADGUARD_DATA="$dir/data"
  export XDG_DATA_HOME="$dir/xdg-data" XDG_CONFIG_HOME="$dir/xdg-config" XDG_CACHE_HOME="$dir/xdg-cache"

  echo "== test-tauri: starting tauri-driver on 127.0.0.1:$port under Xvfb (attempt $n)"
  setsid xvfb-run -a -s "-screen 0 1280x800x24" \
    tauri-driver --port "$port" --native-port "$native_port" >"$dir/driver.log" 2>&1 &
  driver_pid=$!

  for _ in $(seq 100); do
    if curl -fsS "http://127.0.0.1:$port/status" >/dev/null 2>&1; then break; fi
    if ! kill -0 "$driver_pid" 2>/dev/null; then
      echo "test-tauri: tauri-driver exited early:"; cat "$dir/driver.log"; return 1
    fi
    sleep 0.1
  done

  # tauri-driver answers /status itself while the WebKitWebDriver it starts may not be
  # listening yet: a session request then meets "connection reset by peer" (the flake
  # seen in CI). Wait for the native driver too.
  for _ in $(seq 100); do
    if curl -fsS "http://127.0.0.1:$native_port/status" >/dev/null 2>&1; then break; fi
    sleep 0.1
  done

  echo "== test-tauri: driving the real window"
  local rc=0
  python3 tests/tauri/smoke.py --driver "http://127.0.0.1:$port" --app "$app" \
    --data-dir "$LEADGUARD_DATA" --screenshot-dir "${SCREENSHOT_DIR:-$root/bench-out/screenshots}" || rc=$?
  if ((rc != 0)); then
    echo "test-tauri: attempt $n FAILED (exit $rc); driver log:"; tail -50 "$dir/driver.log"
  fi
  return "$rc"
}

for n in 1 2 3 4 5; do
  rc=0
  attempt "$n" || rc=$?
  ((rc == 0)) && exit 0
  if ((rc != DRIVER_DROPPED)); then
    echo "test-tauri: FAILED (not the known driver drop: no retry)"; exit 1
  fi
  echo "test-tauri: the known WebKitWebDriver drop; retrying with a fresh driver, registry and window"
  sleep 3
done
echo "test-tauri: FAILED: the driver dropped the session five times"; exit 1
