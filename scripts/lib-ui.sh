# Shared helpers for the UI scripts (sourced, not run). Expects the cwd to be ui/.

# `npm ci` when node_modules is missing or older than the manifest/lock file: it installs
# exactly what package-lock.json lists and never rewrites it (the lock lists every
# platform's optional packages, e.g. @tauri-apps/cli's, so one lock serves all platforms).
ensure_node_modules() {
  local stamp=node_modules/.package-lock.json
  if [[ ! -f $stamp || package.json -nt $stamp || package-lock.json -nt $stamp ]]; then
    echo "ui: npm ci"
    npm ci --no-audit --no-fund --loglevel=error
    touch "$stamp"
  fi
}
