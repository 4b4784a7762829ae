//! Shared helpers of the hub end-to-end tests (included with `#[path]`): a real
//! `leadguard-hub` process on a loopback port with a temporary database, device
//! enrolment through its CLI, and real Automerge changes.
//!
//! [`Hub::start`] runs on the backend `LEADGUARD_TEST_HUB_BACKEND` names: `sqlite`
//! (the default) or `postgres` — a fresh database on the PostgreSQL server of
//! `leadguard_tests::postgres` (`make test-rust` runs the hub tests on both).

#![allow(dead_code)]

use automerge::transaction::Transactable;
use leadguard_protocol::client::HubClient;
use leadguard_protocol::{PushChange, PushRequest};
use leadguard_tests::bin;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// Runs core command `cmd` on the registry in `data` (the laptop's API, in process),
/// panicking with the typed error if it is refused.
pub fn call(data: &Path, cmd: &str, args: serde_json::Value) -> serde_json::Value {
    let mut ctx = leadguard_core::api::Context::open(data).expect("open");
    leadguard_core::api::dispatch(&mut ctx, cmd, args).unwrap_or_else(|e| panic!("{cmd}: {e:?}"))
}

/// 李娜, a rep of branch `sh`, sets up the laptop in `data`, joins `hub`, registers
/// 上海申通物流 (王敏, 13700001111) and syncs it; returns the lead's id.
pub fn li_na_registers_shentong(hub: &Hub, data: &Path) -> String {
    call(data, "init", serde_json::json!({ "rep_id": "li.na", "name": "李娜", "branch": "sh" }));
    leadguard_tests::leadguard_ok(data, &["enroll", "--hub", &hub.url, "--token", &hub.token("li.na", "sh", "rep")]);
    let fields = serde_json::json!({ "company": "上海申通物流有限公司", "contact": "王敏", "phone": "13700001111", "need": "仓储" });
    let lead = call(data, "lead_add", serde_json::json!({ "fields": fields }))["lead"]["id"].as_str().unwrap().to_owned();
    leadguard_tests::leadguard_ok(data, &["sync"]);
    lead
}

/// A running hub process; killed when dropped.
pub struct Hub {
    pub data: PathBuf,
    /// `--database` (a PostgreSQL URL), or None for the SQLite file in `data`.
    pub database: Option<String>,
    pub url: String,
    child: Child,
    _dir: Option<tempfile::TempDir>,
}

/// Whether the hub tests run on PostgreSQL (`LEADGUARD_TEST_HUB_BACKEND=postgres`).
pub fn postgres_backend() -> bool {
    match std::env::var("LEADGUARD_TEST_HUB_BACKEND").as_deref() {
        Ok("postgres") => true,
        Ok("sqlite") | Ok("") | Err(_) => false,
        Ok(other) => panic!("LEADGUARD_TEST_HUB_BACKEND={other:?}: sqlite or postgres"),
    }
}

impl Hub {
    /// A hub on a fresh temporary database of the backend under test, on a free
    /// loopback port.
    pub fn start() -> Hub {
        let database = postgres_backend().then(|| leadguard_tests::postgres::fresh_database());
        Hub::start_on(database)
    }

    /// A hub on a fresh SQLite file, whatever the backend under test (for what only
    /// SQLite has: `backup`/`restore`, a file to plant rows in).
    pub fn start_sqlite() -> Hub {
        Hub::start_on(None)
    }

    /// A hub on `database` (None: a fresh SQLite file).
    pub fn start_on(database: Option<String>) -> Hub {
        Hub::start_serving(database, &[])
    }

    /// [`Hub::start`] with extra `serve` options (e.g. `--no-push-pages`).
    pub fn start_with(serve_args: &[&str]) -> Hub {
        let database = postgres_backend().then(|| leadguard_tests::postgres::fresh_database());
        Hub::start_serving(database, serve_args)
    }

    fn start_serving(database: Option<String>, serve_args: &[&str]) -> Hub {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut hub = Hub::spawn_serving(dir.path(), database.as_deref(), "127.0.0.1:0", serve_args);
        hub._dir = Some(dir);
        hub
    }

    /// Starts `leadguard-hub --data DATA serve --listen LISTEN` and reads the bound
    /// URL from the first line of its stdout.
    pub fn spawn(data: &Path, listen: &str) -> Hub {
        Hub::spawn_on(data, None, listen)
    }

    fn command(data: &Path, database: Option<&str>) -> Command {
        let mut command = Command::new(bin("leadguard-hub"));
        command.arg("--data").arg(data).env_remove("LEADGUARD_HUB_DATABASE");
        if let Some(url) = database {
            command.args(["--database", url]);
        }
        command
    }

    /// [`Hub::spawn`] with `--database` when given.
    pub fn spawn_on(data: &Path, database: Option<&str>, listen: &str) -> Hub {
        Hub::spawn_serving(data, database, listen, &[])
    }

    fn spawn_serving(data: &Path, database: Option<&str>, listen: &str, serve_args: &[&str]) -> Hub {
        let mut child = Hub::command(data, database)
            .args(["serve", "--listen", listen])
            .args(serve_args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn leadguard-hub");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("read hub url");
        let url = line.trim().to_owned();
        assert!(url.starts_with("http://127.0.0.1:"), "hub printed {url:?}");
        Hub { data: data.to_owned(), database: database.map(str::to_owned), url, child, _dir: None }
    }

    /// Kills the process with SIGKILL (no shutdown, no flush) and waits for it.
    pub fn kill9(&mut self) {
        self.child.kill().expect("kill -9");
        self.child.wait().expect("wait");
    }

    /// Restarts on the same database and the same address after [`Hub::kill9`].
    pub fn restart(&mut self) {
        let listen = self.url.trim_start_matches("http://").to_owned();
        let mut last = None;
        for _ in 0..50 {
            let mut child = Hub::command(&self.data, self.database.as_deref())
                .args(["serve", "--listen", &listen])
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()
                .expect("spawn leadguard-hub");
            let mut line = String::new();
            BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("read");
            if line.trim() == self.url {
                self.child = child;
                return;
            }
            // The port is not free yet: the old process's socket is still closing.
            let _ = child.wait();
            last = Some(line);
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        panic!("hub did not restart on {listen}: {last:?}");
    }

    /// Runs a management command (`enroll`, `revoke`, `devices list`) on this hub's database.
    pub fn admin(&self, args: &[&str]) -> std::process::Output {
        Hub::command(&self.data, self.database.as_deref()).arg("--json").args(args).output().expect("run")
    }

    /// A one-time enrolment token for a new device.
    pub fn token(&self, rep: &str, branch: &str, role: &str) -> String {
        let out = self.admin(&["enroll", "--rep", rep, "--name", rep, "--branch", branch, "--role", role]);
        assert!(out.status.success(), "enroll failed: {}", String::from_utf8_lossy(&out.stderr));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("enroll json");
        v["token"].as_str().expect("token").to_owned()
    }

    /// Enrols a device and returns an authenticated client and its device id.
    pub fn device(&self, rep: &str, branch: &str, role: &str) -> (HubClient, String) {
        let token = self.token(rep, branch, role);
        let client = HubClient::new(&self.url).expect("client");
        let e = client.enroll(&token).expect("enroll");
        (client.with_credential(&e.credential), e.device_id)
    }

    /// An unauthenticated client.
    pub fn anonymous(&self) -> HubClient {
        HubClient::new(&self.url).expect("client")
    }
}

impl Drop for Hub {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The id of the `i`-th lead [`automerge_changes`] registers for `actor`: 16 hex digits.
pub fn lead_id(actor: &str, i: usize) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in actor.bytes().chain(i.to_le_bytes()) {
        h = (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
    }
    format!("{h:016x}")
}

/// A `register` event by `rep`, the core's event encoding.
/// A registration written before its device was enrolled: its contact in plain text,
/// so the hub serves its document to its branch only (docs/VISIBILITY.md).
pub fn register_event(rep: &str, company: &str) -> String {
    serde_json::json!({
        "id": format!("ev-{}", lead_id(company, 0)), "kind": "register", "rep": rep, "device": "d",
        "device_time": "2026-11-22T08:00:00Z", "fields": { "company": company, "contact": "陈明" }
    })
    .to_string()
}

/// A registration holding no plain contact (an enrolled device's: open match data
/// only here), which the hub serves company-wide to employees.
pub fn sealed_era_register_event(rep: &str, company: &str) -> String {
    serde_json::json!({
        "id": format!("ev-{}", lead_id(company, 0)), "kind": "register", "rep": rep, "device": "d",
        "device_time": "2026-11-22T08:00:00Z",
        "fields": { "company": company, "phone_masked": "139****3333", "phone_digest": "00112233445566778899aabbccddeeff" }
    })
    .to_string()
}

/// [`automerge_changes`] registering with [`sealed_era_register_event`].
pub fn sealed_era_changes(actor: &str, rep: &str, n: usize) -> Vec<Vec<u8>> {
    let mut doc = automerge::AutoCommit::new().with_actor(automerge::ActorId::from(actor.as_bytes()));
    (0..n)
        .map(|i| {
            let list = doc.put_object(automerge::ROOT, lead_id(actor, i), automerge::ObjType::List).expect("list");
            doc.insert(&list, 0, sealed_era_register_event(rep, &format!("{actor} 华东贸易有限公司 {i}"))).expect("insert");
            doc.commit();
            doc.get_last_local_change().expect("change").raw_bytes().to_vec()
        })
        .collect()
}

/// `n` real Automerge changes of one document written by `actor`, each registering
/// lead [`lead_id`]`(actor, i)` for `rep` with a Chinese company name, in causal order.
pub fn automerge_changes(actor: &str, rep: &str, n: usize) -> Vec<Vec<u8>> {
    let mut doc = automerge::AutoCommit::new().with_actor(automerge::ActorId::from(actor.as_bytes()));
    (0..n)
        .map(|i| {
            let list = doc.put_object(automerge::ROOT, lead_id(actor, i), automerge::ObjType::List).expect("list");
            doc.insert(&list, 0, register_event(rep, &format!("{actor} 华南贸易有限公司 {i}"))).expect("insert");
            doc.commit();
            doc.get_last_local_change().expect("change").raw_bytes().to_vec()
        })
        .collect()
}

/// A push batch of `changes` for document `doc_id` in `scope`.
pub fn batch(doc_id: &str, scope: &str, changes: &[Vec<u8>]) -> PushRequest {
    PushRequest {
        changes: changes
            .iter()
            .map(|b| PushChange { doc_id: doc_id.into(), scope: scope.into(), bytes: b.clone() })
            .collect(),
    }
}

/// Every change `client` can pull, following cursors page by page.
pub fn pull_all(client: &HubClient, page: usize) -> Vec<leadguard_protocol::PulledChange> {
    let mut since = 0;
    let mut all = Vec::new();
    loop {
        let r = client.pull(since, Some(page)).expect("pull");
        all.extend(r.changes);
        since = r.next_cursor;
        if !r.more {
            return all;
        }
    }
}

/// Every file under `dir` whose bytes contain `needle`.
pub fn files_holding(dir: &Path, needle: &[u8]) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if std::fs::read(&path).unwrap().windows(needle.len()).any(|w| w == needle) {
                out.push(path);
            }
        }
    }
    out
}
