//! The web server end to end: a real server on port 0 over a temp data dir, spoken to
//! with raw HTTP/1.1 so every header (Host, Origin, token) is exactly what a test says.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;

use leadguard_core::api::Context;
use leadguard_web::{BoundServer, ServeError, ServerConfig, TOKEN_HEADER};

const TOKEN: &str = "test-token-0123456789abcdef";

struct Running {
    addr: SocketAddr,
    url: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
    data: tempfile::TempDir,
    _ui: tempfile::TempDir,
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(t) = self.thread.take() {
            t.join().expect("server thread");
        }
    }
}

fn ui_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("index.html"), "<!doctype html><title>LG</title><div id=root></div>").unwrap();
    std::fs::create_dir(dir.path().join("assets")).unwrap();
    std::fs::write(dir.path().join("assets/app.js"), "console.log('hi')").unwrap();
    dir
}

fn config(listen: &str, ui: Option<PathBuf>, token: Option<&str>) -> ServerConfig {
    ServerConfig {
        listen: listen.parse().unwrap(),
        ui_dir: ui,
        token: token.map(str::to_owned),
        allow_non_loopback: false,
    }
}

fn start() -> Running {
    let data = tempfile::tempdir().unwrap();
    let ui = ui_dir();
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let ctx = Context::open(data.path()).unwrap();
    let cfg = config("127.0.0.1:0", Some(ui.path().to_path_buf()), Some(TOKEN));
    let server = rt.block_on(BoundServer::bind(ctx, cfg)).expect("bind");
    let (addr, url) = (server.addr(), server.url());
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let thread = std::thread::spawn(move || {
        rt.block_on(server.serve(async {
            let _ = rx.await;
        }))
        .expect("serve");
    });
    Running { addr, url, stop: Some(tx), thread: Some(thread), data, _ui: ui }
}

struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
    fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// One HTTP/1.1 request; `headers` are sent as given (Host included, if listed).
fn request(addr: SocketAddr, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Reply {
    let mut s = TcpStream::connect(addr).unwrap();
    let mut head = format!("{method} {path} HTTP/1.1\r\nConnection: close\r\nContent-Length: {}\r\n", body.len());
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    s.write_all(head.as_bytes()).unwrap();
    s.write_all(body).unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("header end");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.lines();
    let status = lines.next().unwrap().split(' ').nth(1).unwrap().parse().unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    assert!(
        !headers.iter().any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked")),
        "this test client does not decode chunked bodies"
    );
    Reply { status, headers, body: raw[split + 4..].to_vec() }
}

fn host(r: &Running) -> String {
    format!("127.0.0.1:{}", r.addr.port())
}

/// A call as the UI makes it: own Host and Origin, the token header, a JSON body.
fn api(r: &Running, cmd: &str, body: &str) -> Reply {
    let host = host(r);
    let origin = format!("http://{host}");
    request(
        r.addr,
        "POST",
        &format!("/api/{cmd}"),
        &[("Host", &host), ("Origin", &origin), (TOKEN_HEADER, TOKEN), ("Content-Type", "application/json")],
        body.as_bytes(),
    )
}

#[test]
fn a_command_runs_against_the_real_core_and_answers_json() {
    let r = start();
    let reply = api(&r, "app_info", "null");
    assert_eq!(reply.status, 200, "{}", reply.text());
    let v = reply.json();
    assert_eq!(v["name"], "Leadguard");
    assert_eq!(v["data_dir"], r.data.path().display().to_string());
    assert_eq!(reply.header("cache-control"), Some("no-store"));
    // An empty body means "no arguments".
    assert_eq!(api(&r, "app_info", "").status, 200);
}

#[test]
fn the_printed_url_carries_the_port_and_token() {
    let r = start();
    assert_eq!(r.url, format!("http://127.0.0.1:{}/?token={TOKEN}", r.addr.port()));
}

#[test]
fn requests_without_the_right_token_are_refused() {
    let r = start();
    let h = host(&r);
    let none = request(r.addr, "POST", "/api/app_info", &[("Host", &h)], b"null");
    assert_eq!(none.status, 401);
    assert_eq!(none.json()["code"], "forbidden");
    let wrong = request(r.addr, "POST", "/api/app_info", &[("Host", &h), (TOKEN_HEADER, "nope-nope-nope-nope")], b"null");
    assert_eq!(wrong.status, 401);
    assert_eq!(wrong.json()["code"], "forbidden");
    // The UI words this from the reason, never by reading the message.
    assert_eq!(wrong.json()["reason"], "token_invalid");
    assert_eq!(wrong.json()["params"], serde_json::json!({}));
}

#[test]
fn cross_origin_calls_are_refused_even_with_the_token() {
    let r = start();
    let h = host(&r);
    for origin in ["http://evil.example", "null", "http://127.0.0.1:1"] {
        let reply = request(
            r.addr,
            "POST",
            "/api/app_info",
            &[("Host", &h), ("Origin", origin), (TOKEN_HEADER, TOKEN)],
            b"null",
        );
        assert_eq!(reply.status, 403, "{origin}");
        assert_eq!(reply.json()["code"], "forbidden");
        assert_eq!(reply.json()["reason"], "request_refused");
    }
}

#[test]
fn a_foreign_host_header_is_refused_for_api_and_files() {
    let r = start();
    let api = request(r.addr, "POST", "/api/app_info", &[("Host", "evil.example"), (TOKEN_HEADER, TOKEN)], b"null");
    assert_eq!(api.status, 403);
    let page = request(r.addr, "GET", "/", &[("Host", "rebind.evil.example")], b"");
    assert_eq!(page.status, 403);
    assert_eq!(page.json()["code"], "forbidden");
}

#[test]
fn errors_are_typed_api_errors_with_matching_statuses() {
    let r = start();
    let unknown = api(&r, "no_such_command", "null");
    assert_eq!(unknown.status, 404);
    assert_eq!(unknown.json()["code"], "unknown_command");

    let bad_json = api(&r, "app_info", "{not json");
    assert_eq!(bad_json.status, 400);
    assert_eq!(bad_json.json()["code"], "invalid_argument");

    let bad_args = api(&r, "app_info", r#"{"unexpected": 1}"#);
    assert_eq!(bad_args.status, 400);
    assert_eq!(bad_args.json()["code"], "invalid_argument");

    let h = host(&r);
    let get = request(r.addr, "GET", "/api/app_info", &[("Host", &h), (TOKEN_HEADER, TOKEN)], b"");
    assert_eq!(get.status, 405);
    assert_eq!(get.json()["code"], "invalid_argument");

    let nested = request(r.addr, "POST", "/api/a/b", &[("Host", &h), (TOKEN_HEADER, TOKEN)], b"");
    assert_eq!(nested.status, 404);
    assert_eq!(nested.json()["code"], "unknown_command");
}

#[test]
fn oversized_bodies_are_refused_with_413() {
    let r = start();
    let big = format!("\"{}\"", "x".repeat(leadguard_web::MAX_BODY_BYTES + 10));
    let reply = api(&r, "app_info", &big);
    assert_eq!(reply.status, 413);
    assert_eq!(reply.json()["code"], "invalid_argument");
}

#[test]
fn the_ui_is_served_with_a_strict_csp_and_spa_fallback() {
    let r = start();
    let h = host(&r);
    let index = request(r.addr, "GET", "/", &[("Host", &h)], b"");
    assert_eq!(index.status, 200);
    assert!(index.text().contains("<title>LG</title>"));
    let csp = index.header("content-security-policy").expect("CSP");
    assert!(csp.contains("script-src 'self'"), "{csp}");
    assert!(!csp.contains("unsafe-eval"), "{csp}");
    assert_eq!(index.header("referrer-policy"), Some("no-referrer"));
    assert_eq!(index.header("x-content-type-options"), Some("nosniff"));

    let asset = request(r.addr, "GET", "/assets/app.js", &[("Host", &h)], b"");
    assert_eq!(asset.status, 200);
    assert!(asset.header("content-type").unwrap().contains("javascript"));

    let deep = request(r.addr, "GET", "/customers/mine?token=abc", &[("Host", &h)], b"");
    assert_eq!(deep.status, 200);
    assert!(deep.text().contains("<title>LG</title>"));

    let missing = request(r.addr, "GET", "/assets/missing.js", &[("Host", &h)], b"");
    assert_eq!(missing.status, 404);

    let escape = request(r.addr, "GET", "/../../etc/passwd", &[("Host", &h)], b"");
    assert!(!escape.text().contains("root:"), "path traversal served a file outside the UI dir");
}

#[test]
fn concurrent_calls_all_succeed() {
    let r = start();
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..8).map(|_| s.spawn(|| api(&r, "app_info", "null").status)).collect();
        for h in handles {
            assert_eq!(h.join().unwrap(), 200);
        }
    });
}

fn bind_error(cfg: ServerConfig) -> ServeError {
    let data = tempfile::tempdir().unwrap();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let ctx = Context::open(data.path()).unwrap();
    match rt.block_on(BoundServer::bind(ctx, cfg)) {
        Ok(s) => panic!("bound {}", s.addr()),
        Err(e) => e,
    }
}

#[test]
fn non_loopback_addresses_are_refused_by_default() {
    let err = bind_error(config("0.0.0.0:0", None, None));
    assert!(matches!(err, ServeError::NotLoopback(_)), "{err}");
}

#[test]
fn a_ui_dir_without_index_html_is_refused() {
    let empty = tempfile::tempdir().unwrap();
    let err = bind_error(config("127.0.0.1:0", Some(empty.path().to_path_buf()), None));
    assert!(matches!(err, ServeError::NoUi(_)), "{err}");
}

#[test]
fn a_weak_token_is_refused() {
    let err = bind_error(config("127.0.0.1:0", None, Some("short")));
    assert!(matches!(err, ServeError::Token(_)), "{err}");
}

#[test]
fn without_a_ui_only_the_api_is_served() {
    let data = tempfile::tempdir().unwrap();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let ctx = Context::open(data.path()).unwrap();
    let server = rt.block_on(BoundServer::bind(ctx, config("127.0.0.1:0", None, None))).unwrap();
    assert_eq!(server.token().len(), 40);
    assert!(server.url().ends_with(&format!("/?token={}", server.token())));
}
