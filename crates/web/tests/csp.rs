//! The browser build runs under the same Content-Security-Policy as the Tauri window,
//! so a UI change that needs a looser policy fails here rather than in only one host.

use std::collections::BTreeMap;

fn directives(csp: &str) -> BTreeMap<String, String> {
    csp.split(';')
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(|d| match d.split_once(' ') {
            Some((name, value)) => (name.to_owned(), value.trim().to_owned()),
            None => (d.to_owned(), String::new()),
        })
        .collect()
}

#[test]
fn web_csp_matches_the_tauri_window_except_ipc_sources() {
    let conf = std::fs::read_to_string(format!("{}/../../src-tauri/tauri.conf.json", std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").to_string())))
        .expect("src-tauri/tauri.conf.json");
    let conf: serde_json::Value = serde_json::from_str(&conf).expect("tauri.conf.json is JSON");
    let tauri = conf["app"]["security"]["csp"].as_str().expect("app.security.csp is set");
    let mut tauri = directives(tauri);
    let mut web = directives(leadguard_web::headers::CSP);
    // The window talks to the core over Tauri IPC; the browser over same-origin fetch.
    assert_eq!(web.remove("connect-src").as_deref(), Some("'self'"));
    assert!(tauri.remove("connect-src").is_some_and(|v| v.contains("ipc:")));
    assert_eq!(web, tauri);
    assert!(!leadguard_web::headers::CSP.contains("unsafe-eval"));
}
