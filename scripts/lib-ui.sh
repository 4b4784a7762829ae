# Shared helpers for the UI scripts (sourced, not run). Expects the cwd to be ui/.

# npm install when node_modules is missing or older than the manifest/lock file.
# `npm install` (not `npm ci`): @tauri-apps/cli's platform packages are optional
# dependencies that a lock file made on one platform may not list for another.
ensure_node_modules() {
  local stamp=node_modules/.package-lock.json
  if [[ ! -f $stamp || package.json -nt $stamp || package-lock.json -nt $stamp ]]; then
    echo "ui: npm install"
    npm install --no-audit --no-fund --loglevel=error
    touch "$stamp"
  fi
}
