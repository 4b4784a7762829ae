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

/// Runs `leadguard --data DATA --json ARGS...`, asserts it succeeded and parses its
/// answer (the CLI step of most end-to-end tests).
pub fn leadguard_ok(data: &std::path::Path, args: &[&str]) -> serde_json::Value {
    let out = leadguard(data, args);
    assert!(
        out.status.success(),
        "leadguard {args:?} failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    json(&out)
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

/// A PostgreSQL server for the hub tests: the one `LEADGUARD_TEST_POSTGRES` names
/// (`scripts/pg-throwaway.sh run` sets it for `make test-rust`), else a throwaway one
/// this test process starts with the same script and a watchdog stops when the process
/// ends. A test that needs PostgreSQL fails — never skips — when it cannot start.
pub mod postgres {
    use std::process::{Command, Stdio};
    use std::sync::OnceLock;

    /// The server's URL (`postgres://postgres@127.0.0.1:PORT/postgres`).
    pub fn server_url() -> String {
        static URL: OnceLock<String> = OnceLock::new();
        URL.get_or_init(|| match std::env::var("LEADGUARD_TEST_POSTGRES") {
            Ok(url) if !url.is_empty() => url,
            _ => start_throwaway(),
        })
        .clone()
    }

    fn script() -> String {
        concat!(env!("CARGO_MANIFEST_DIR"), "/../scripts/pg-throwaway.sh").to_owned()
    }

    fn start_throwaway() -> String {
        let dir = tempfile::Builder::new().prefix("leadguard-pg.").tempdir().expect("tempdir").keep();
        let out = Command::new("bash")
            .arg(script())
            .arg("start")
            .arg(&dir)
            .arg("--fast")
            .stderr(Stdio::inherit())
            .output()
            .expect("run scripts/pg-throwaway.sh");
        assert!(out.status.success(), "PostgreSQL did not start (scripts/pg-throwaway.sh; `make setup` installs it)");
        // Stops the server once this test process has gone, however it ended.
        let watchdog = format!(
            "while kill -0 {pid} 2>/dev/null; do sleep 0.5; done; exec bash '{script}' stop '{dir}'",
            pid = std::process::id(),
            script = script(),
            dir = dir.display()
        );
        Command::new("setsid")
            .args(["bash", "-c", &watchdog])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the PostgreSQL watchdog");
        String::from_utf8(out.stdout).expect("utf-8 url").trim().to_owned()
    }

    /// A new, empty database on the server; returns its URL.
    pub fn fresh_database() -> String {
        let server = server_url();
        let mut bytes = [0u8; 6];
        std::fs::File::open("/dev/urandom").and_then(|mut f| std::io::Read::read_exact(&mut f, &mut bytes)).expect("urandom");
        let name: String = format!("lg_{}", bytes.iter().map(|b| format!("{b:02x}")).collect::<String>());
        let mut client = ::postgres::Client::connect(&server, ::postgres::NoTls).expect("connect to the test PostgreSQL");
        client.batch_execute(&format!("CREATE DATABASE {name}")).expect("create a test database");
        let (base, _) = server.rsplit_once('/').expect("a database in the URL");
        format!("{base}/{name}")
    }
}
