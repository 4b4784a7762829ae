#!/usr/bin/env bash
# Installs what building, running and testing Leadguard needs and is missing:
# Debian packages (WebKitGTK for Tauri, Xvfb, Chromium and its WebDriver, ImageMagick,
# CJK fonts, PostgreSQL for the hub tests and bench-hub), cargo-nextest and tauri-driver. Idempotent and fast when everything is there: it only
# checks (dpkg -s, command -v) and calls apt-get update only when it must install.
# npm packages are installed by scripts/ui-build.sh.
set -euo pipefail

PACKAGES=(libwebkit2gtk-4.1-dev webkit2gtk-driver xvfb xauth chromium chromium-driver
          imagemagick fonts-noto-cjk postgresql)

as_root() {
  if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi
}

missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if ((${#missing[@]})); then
  echo "setup: installing Debian packages: ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "setup: Debian packages present"
fi

export PATH="$HOME/.cargo/bin:$PATH"
if ! cargo nextest --version >/dev/null 2>&1; then
  echo "setup: installing cargo-nextest (a few minutes)"
  env -u CARGO_TARGET_DIR cargo install cargo-nextest --locked
else
  echo "setup: cargo-nextest present"
fi
if ! command -v tauri-driver >/dev/null 2>&1; then
  echo "setup: installing tauri-driver (about a minute)"
  # Its own temporary build directory, not this clone's target/ (Makefile exports it).
  env -u CARGO_TARGET_DIR cargo install tauri-driver --locked --version '^2'
else
  echo "setup: tauri-driver present"
fi
