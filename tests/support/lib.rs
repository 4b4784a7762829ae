//! Helpers for end-to-end tests: locate the workspace binaries and run them.

use std::path::PathBuf;
use std::process::{Command, Output};

/// Path of a binary built from this workspace (`leadguard`, `leadguard-hub`).
pub fn bin(name: &str) -> PathBuf {
    // Test executables live in target/<profile>/deps; binaries one level up.
    let exe = std::env::current_exe().expect("current exe");
    let dir = exe.parent().and_then(|d| d.parent()).expect("target dir");
    let path = dir.join(name);
    assert!(path.exists(), "{} not built (run through cargo/nextest on the workspace)", path.display());
    path
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
