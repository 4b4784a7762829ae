//! Helpers for end-to-end tests: build the workspace binaries through cargo and run them.

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::sync::{Mutex, OnceLock};

/// Path of a workspace binary (`leadguard`, `leadguard-hub`), built by cargo.
///
/// The binaries live in other packages than these tests, so `CARGO_BIN_EXE_*` does not
/// name them: ask cargo to build the binary (a no-op when it is fresh) and take its path
/// from cargo's JSON messages, never from a guessed `target/` layout. Once per process.
/// `--workspace` resolves features as `make test-rust`'s build does, so no dependency
/// is compiled a second time with another feature set.
pub fn bin(name: &str) -> PathBuf {
    static BUILT: OnceLock<Mutex<HashMap<String, PathBuf>>> = OnceLock::new();
    let mut built = BUILT.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner());
    built.entry(name.to_owned()).or_insert_with(|| cargo_build_bin(name)).clone()
}

fn cargo_build_bin(name: &str) -> PathBuf {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let manifest = concat!(env!("CARGO_MANIFEST_DIR"), "/../Cargo.toml");
    let out = Command::new(cargo)
        .args(["build", "--quiet", "--message-format=json-render-diagnostics", "--manifest-path", manifest])
        .args(["--workspace", "--bin", name])
        .stderr(Stdio::inherit())
        .output()
        .expect("run cargo build");
    assert!(out.status.success(), "cargo build --workspace --bin {name} failed");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|msg| msg["reason"] == "compiler-artifact" && msg["target"]["name"] == name)
        .find_map(|msg| msg["executable"].as_str().map(PathBuf::from))
        .unwrap_or_else(|| panic!("cargo build named no executable for {name}"))
}

/// Runs `leadguard --data DATA --json ARGS...` and returns the output.
pub fn leadguard(data: &std::path::Path, args: &[&str]) -> Output {
    Command::new(bin("leadguard"))
        .arg("--data")
        .arg(data)
        .arg("--json")
        .args(args)
        .output()
        .expect("run leadguard")
}

/// Parses stdout as JSON, panicking with stderr on failure.
pub fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}
