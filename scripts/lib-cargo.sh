# Shared helpers for scripts that run what cargo builds (sourced, not run). Paths come
# from cargo itself, never from a guessed target/ layout.

# cargo_exe CARGO-BUILD-ARGS...: builds one executable (a no-op when fresh) and prints
# its path as cargo reports it (--message-format=json). Examples:
#   cargo_exe --workspace --bin leadguard            (--workspace resolves features as
#   cargo_exe --release -p leadguard-core --example bench_core    make test-rust does)
cargo_exe() {
  cargo build --quiet --message-format=json-render-diagnostics "$@" |
    python3 -c '
import json, sys
exes = [m["executable"] for m in map(json.loads, sys.stdin)
        if m.get("reason") == "compiler-artifact" and m.get("executable")]
if len(exes) != 1:
    sys.exit(f"cargo build {sys.argv[1:]} named {len(exes)} executables, expected one: {exes}")
print(exes[0])' "$@"
}

# cargo_bin NAME: the workspace binary NAME (leadguard, leadguard-hub, leadguard-app).
cargo_bin() {
  cargo_exe --workspace --bin "$1"
}

# cargo_target_dir: where cargo builds (target/ of this clone unless CARGO_TARGET_DIR).
cargo_target_dir() {
  cargo metadata --format-version 1 --no-deps |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])'
}
